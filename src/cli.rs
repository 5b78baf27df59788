//! The command line (jspcapy heritage, flat): clap definitions and their translation into a
//! library call. Exit codes: 0 success, 1 input unreadable or output unwritable, 2 usage
//! (including an output that is the input itself), 130/143 interrupted by SIGINT/SIGTERM
//! (temporary files removed). With several inputs, 1 when any input failed (the others are
//! still written).

use clap::Parser;
use indicatif::{MultiProgress, ProgressBar, ProgressFinish, ProgressStyle};
use pcapkit::capture::{CaptureReader, FileId, RawFrame, ReaderOptions};
use pcapkit::dump::{Dumper, FilesDumper, Format, Output};
use pcapkit::model::Frame;
use pcapkit::multi::{Batch, Destination, Done};
use pcapkit::pipeline::{Record, Stage};
use pcapkit::reassembly::{Kinds, ReassemblyOptions, UnknownKind};
use pcapkit::{EngineKind, Error, Extractor, Options, Stop};
use std::io::{self, IsTerminal, Write};
use std::os::fd::AsFd;
use std::path::{Path, PathBuf};

/// Streaming packet-capture extractor: pcap/pcapng to JSON, NDJSON, plist, tree or pcap reports.
#[derive(Debug, Parser)]
#[command(name = "pcapkit", version, about, max_term_width = 100)]
pub struct Cli {
    /// Captures to read: paths ('.pcap' is appended if the name does not exist), or '-' for
    /// stdin (the default when stdin is not a terminal). Several inputs: one report each,
    /// DIR/<input stem>.<ext> with -o DIR, or one after the other on stdout (ndjson lines
    /// then carry "file"; tree reports come under '==> INPUT <=='); exit 1 if any failed.
    /// analyse and follow take one input
    #[arg(value_name = "INPUT")]
    pub inputs: Vec<String>,

    /// Report file, or folder with -F or several inputs (default, or `-`: stdout; required for -F,
    /// and for plist and pcap when stdout is a terminal). A regular file is replaced
    /// atomically; a device, FIFO or symlink target is written through; the input is refused
    #[arg(short, long, value_name = "PATH")]
    pub output: Option<PathBuf>,

    /// Inputs extracted at once, each by its own pipeline (default: one per available core;
    /// --threads applies to each)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,

    /// Report format: json | ndjson | plist | tree | pcap | parquet (parquet: in a build with
    /// the `parquet` feature) (default: from the output's extension .json .ndjson .jsonl .plist
    /// .txt .pcap .parquet; on stdout tree for a terminal, else ndjson)
    #[arg(short, long, value_name = "FMT")]
    pub format: Option<String>,

    /// Shorthand for --format json
    #[arg(short, long, conflicts_with_all = ["format", "plist", "tree"])]
    pub json: bool,

    /// Shorthand for --format plist
    #[arg(short, long, conflicts_with_all = ["format", "tree"])]
    pub plist: bool,

    /// Shorthand for --format tree
    #[arg(short, long, conflicts_with = "format")]
    pub tree: bool,

    /// One report file per frame (frame-000001.json, ...) inside the --output folder
    #[arg(short = 'F', long)]
    pub files: bool,

    /// Append the format's extension to --output when it has none
    #[arg(short, long)]
    pub auto_extension: bool,

    /// Engine: native (default) | etherparse | pnet | pdu | server | pipeline (`--engines`
    /// lists what each decodes)
    #[arg(short = 'E', long, value_name = "NAME", default_value = "native")]
    pub engine: String,

    /// Threads of the parallel engines (default: one per available core): server's workers;
    /// pipeline runs its two stages on two threads from 2 on, on one with 1
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub threads: Option<u16>,

    /// Stop dissection after this protocol (case-insensitive, e.g. IPv4, tcp)
    #[arg(short = 'P', long, value_name = "NAME", conflicts_with = "layer")]
    pub protocol: Option<String>,

    /// Stop dissection after this layer: raw | link | inet | trans | app
    #[arg(short = 'L', long, value_name = "LAYER")]
    pub layer: Option<String>,

    /// Print ' - Frame N: Ethernet:IPv4:TCP' for each frame on stderr
    #[arg(short, long)]
    pub verbose: bool,

    /// No progress bar (several inputs: no line on stderr for each input that succeeded)
    #[arg(short, long)]
    pub quiet: bool,

    /// TCP flow index (DIR/index.json, DIR/index.ndjson) and one pcap per flow in DIR
    /// (several inputs: in DIR/<input stem>/)
    #[arg(long, value_name = "DIR")]
    pub trace: Option<PathBuf>,

    /// With --trace: UDP conversations too (udpN_... files, idle timeout 60 s)
    #[arg(long, requires = "trace")]
    pub trace_udp: bool,

    /// Write the reassembled byte stream of one TCP flow, both directions, instead of a
    /// report (`pcapkit follow FILE --flow ID` is the same); -f text | hex | raw | json
    #[arg(long, conflicts_with_all = ["plist", "tree", "files", "trace", "analyse"])]
    pub follow: bool,

    /// With follow: the flow's id (its number in --trace, Wireshark's tcp.stream)
    #[arg(long, value_name = "ID", requires = "follow", conflicts_with = "tuple")]
    pub flow: Option<u64>,

    /// With follow: the first flow between these endpoints, A:PA-B:PB ([v6]:port for IPv6)
    #[arg(long, value_name = "A:PA-B:PB", requires = "follow")]
    pub tuple: Option<String>,

    /// List the engines this build has, with what each decodes
    #[arg(long)]
    pub engines: bool,

    /// Longest record or block trusted, in bytes (reading stops at a longer one)
    #[arg(long, value_name = "BYTES", default_value_t = pcapkit::capture::DEFAULT_MAX_RECORD)]
    pub max_record: usize,

    /// Most layers per frame (tunnels in tunnels); deeper frames end with an error
    #[arg(long, value_name = "N", default_value_t = pcapkit::engine::DEFAULT_MAX_LAYERS)]
    pub max_layers: usize,

    /// Do not track QUIC connections (then only long headers on UDP port 443 are QUIC)
    #[arg(long)]
    pub no_quic_tracking: bool,

    /// Reassemble and report IP fragments and TCP streams: ipv4,ipv6,tcp (any of them) or all
    #[arg(long, value_name = "LIST")]
    pub reassemble: Option<String>,

    /// With --reassemble: report only complete datagrams and messages
    #[arg(long, requires = "reassemble")]
    pub strict: bool,

    /// Report the HTTP/1.x exchanges of the reassembled TCP streams as NDJSON instead of the
    /// frames (`pcapkit analyse FILE` is the same)
    #[arg(long, conflicts_with_all = ["format", "json", "plist", "tree", "files", "reassemble"])]
    pub analyse: bool,
}

impl Cli {
    /// Parses the process arguments; `pcapkit analyse FILE ...` is `pcapkit --analyse FILE ...`
    /// and `pcapkit follow FILE ...` is `pcapkit --follow FILE ...`.
    pub fn from_args() -> Cli {
        let mut args: Vec<std::ffi::OsString> = std::env::args_os().collect();
        if let Some(verb) = args.get_mut(1)
            && (verb == "analyse" || verb == "follow")
        {
            let flag = format!("--{}", verb.to_string_lossy());
            *verb = flag.into();
        }
        let mut cli = Cli::parse_from(args);
        // `-o -` is standard output, as an input of `-` is standard input.
        if cli.output.as_deref() == Some(std::path::Path::new("-")) {
            cli.output = None;
        }
        cli
    }
}

/// Runs the command line and returns the process exit code.
pub fn run(cli: Cli) -> i32 {
    match execute(&cli) {
        Ok(code) => code,
        Err(Error::Write { source, .. }) if source.kind() == io::ErrorKind::BrokenPipe => 0,
        Err(err) => {
            eprintln!("pcapkit: {err}");
            match err {
                Error::Usage(_) => 2,
                _ => 1,
            }
        }
    }
}

/// Runs the command; `Ok` holds the exit code (1 when some of several inputs failed).
fn execute(cli: &Cli) -> pcapkit::Result<i32> {
    if cli.engines {
        for engine in EngineKind::ALL {
            println!("{:<10} {}", engine.name(), engine.description());
        }
        return Ok(0);
    }
    let options = Options::default()
        .engine(cli.engine.parse()?)
        .stop(stop_option(cli)?)
        .max_layers(cli.max_layers)
        .quic_tracking(!cli.no_quic_tracking)
        .threads(cli.threads.map_or(0, usize::from));
    let into_folder = !cli.files && !cli.analyse && !cli.follow;
    let input = match cli.inputs.as_slice() {
        // `-o DIR/` (or an existing folder): the report goes inside, named as with several.
        [_] if into_folder && cli.output.as_deref().is_some_and(names_a_folder) => {
            return several(cli, options);
        }
        [input] => input.as_str(),
        [_, _, ..] if cli.analyse || cli.follow => {
            return Err(Error::Usage(
                "analyse and follow read one input: run them once per capture".into(),
            ));
        }
        [_, _, ..] => return several(cli, options),
        [] if io::stdin().is_terminal() => {
            return Err(Error::Usage(
                "no INPUT: give a capture file, or pipe one in (pcapkit < cap.pcap); see --help"
                    .into(),
            ));
        }
        [] => "-",
    };
    if cli.analyse {
        return analyse(cli, input).map(|()| 0);
    }
    if cli.follow {
        return follow(cli, input).map(|()| 0);
    }
    let (format, output_path) = resolve_output(cli)?;
    let mut extractor = open(cli, input, options, reassembly_option(cli)?, None)?;
    let input_id = extractor.input_id();
    if output_path.is_none()
        && input_id.is_some()
        && FileId::of_descriptor(io::stdout().as_fd()) == input_id
    {
        return Err(Error::Usage(format!(
            "stdout is the input capture {input}; refusing to overwrite it with the report"
        )));
    }
    // A report printed on the terminal would be garbled by a progress bar beside it.
    let progress = if output_path.is_none() && io::stdout().is_terminal() {
        None
    } else {
        progress_bar(cli, input)
    };
    if let Some(bar) = &progress {
        let bar = bar.clone();
        extractor = extractor.progress(move |bytes| bar.set_position(bytes));
    }
    let mut trace = None;
    if let Some(dir) = &cli.trace {
        let (with_trace, handle) = extractor.trace(dir, &trace_options(cli))?;
        extractor = with_trace;
        trace = Some(handle);
    }

    let (output, mut dumper): (Option<Output>, Box<dyn Dumper>) = match &output_path {
        Some(dir) if cli.files => (
            None,
            Box::new(FilesDumper::new(format, dir)?.except(input_id)),
        ),
        Some(path) => {
            let (output, writer) = Output::file_except(path, input_id)?;
            (Some(output), format.dumper(writer))
        }
        None => {
            let (output, writer) = Output::stdout();
            (Some(output), format.dumper(writer))
        }
    };
    let result = extractor.run_into(Some(dumper.as_mut()));
    if let Some(bar) = &progress {
        bar.finish_and_clear();
    }
    drop(dumper);
    let extraction = result.map_err(|source| Error::Write {
        path: output_path.clone().unwrap_or_else(|| PathBuf::from("-")),
        source,
    })?;
    if let Some(handle) = &trace {
        // A failed trace fails the run: the report is not put in place either.
        handle.result()?;
    }
    if let Some(output) = output {
        output.commit()?;
    }
    warn_stopped_early(input, &extraction);
    Ok(0)
}

/// The warning for an input whose damaged or truncated tail was left out.
fn warn_stopped_early(input: &str, extraction: &pcapkit::Extraction) {
    if let Some(stopped) = &extraction.stopped_early {
        eprintln!(
            "pcapkit: warning: {input}: {stopped}; kept the {} complete frames before it",
            extraction.summary.frames
        );
    }
}

/// `--reassemble` and `--strict`, checked once before any input is opened.
fn reassembly_option(cli: &Cli) -> pcapkit::Result<Option<ReassemblyOptions>> {
    let Some(list) = &cli.reassemble else {
        return Ok(None);
    };
    let kinds: Kinds = list
        .parse()
        .map_err(|e: UnknownKind| Error::Usage(e.to_string()))?;
    Ok(Some(ReassemblyOptions::new(kinds).strict(cli.strict)))
}

/// Opens `input` with the options and stages the command line asks for (reassembly, `-v`;
/// `-v` lines start with `label` when given).
fn open(
    cli: &Cli,
    input: &str,
    options: Options,
    reassembly: Option<ReassemblyOptions>,
    label: Option<&str>,
) -> pcapkit::Result<Extractor> {
    let limits = ReaderOptions::default().max_record(cli.max_record);
    let mut extractor =
        Extractor::new(CaptureReader::open_with(Path::new(input), limits)?).options(options);
    if let Some(reassembly) = reassembly {
        extractor = extractor.reassemble(reassembly);
    }
    if cli.verbose {
        let label = label.map(|label| format!("{label}: "));
        extractor = extractor.stage(Box::new(Verbose { label }));
    }
    Ok(extractor)
}

/// `--trace-udp` and the defaults as trace options.
fn trace_options(cli: &Cli) -> pcapkit::trace::TraceOptions {
    pcapkit::trace::TraceOptions::default().udp(cli.trace_udp)
}

/// Several inputs: one report each (see [`pcapkit::multi`]), a line on stderr for each.
fn several(cli: &Cli, options: Options) -> pcapkit::Result<i32> {
    let named = named_format(cli)?;
    if cli.auto_extension {
        return Err(Error::Usage(
            "-a/--auto-extension does not apply to several inputs: their reports are named \
             <input stem>.<format extension>"
                .into(),
        ));
    }
    let (format, destination) = match &cli.output {
        Some(dir) if looks_like_a_report(dir) => {
            return Err(Error::Usage(format!(
                "'{}' looks like a report file, but several inputs write one report each: give \
                 a folder (-o {}/), or no -o for one ndjson stream on stdout",
                dir.display(),
                dir.display()
            )));
        }
        Some(dir) => {
            let format = named.ok_or_else(|| {
                Error::Usage(
                    "several inputs into a folder need a format: give -f \
                     json|ndjson|plist|tree|pcap (or -j, -p, -t)"
                        .into(),
                )
            })?;
            let destination = if cli.files {
                Destination::FrameFolders(dir.clone())
            } else {
                Destination::Folder(dir.clone())
            };
            (format, destination)
        }
        None if cli.files => {
            return Err(Error::Usage(
                "-F/--files needs -o/--output: the folder of the inputs' frame folders".into(),
            ));
        }
        None => (
            named.unwrap_or_else(stdout_default_format),
            Destination::Stdout,
        ),
    };
    let reassembly = reassembly_option(cli)?;
    let mut batch =
        Batch::new(cli.inputs.clone(), format, destination).jobs(cli.jobs.map_or(0, usize::from));
    if let Some(dir) = &cli.trace {
        batch = batch.trace(dir, trace_options(cli));
    }
    // One bar per input being read, each cleared when its input is done; none beside reports
    // printed on the terminal.
    let on_terminal = cli.output.is_none() && io::stdout().is_terminal();
    let bars = (!cli.quiet && !on_terminal && io::stderr().is_terminal()).then(MultiProgress::new);
    let open = |input: &str| {
        let mut extractor = open(cli, input, options.clone(), reassembly, Some(input))?;
        if let Some(bars) = &bars
            && let Some(bar) = progress_bar(cli, input)
        {
            let bar = bars.add(
                bar.with_prefix(format!("{input} "))
                    .with_finish(ProgressFinish::AndClear),
            );
            extractor = extractor.progress(move |bytes| bar.set_position(bytes));
        }
        Ok(extractor)
    };
    let report = |done: &Done| match &done.result {
        Ok(extraction) => {
            warn_stopped_early(&done.input, extraction);
            if !cli.quiet {
                let to = done
                    .output
                    .as_ref()
                    .map_or_else(|| "stdout".into(), |path| path.display().to_string());
                eprintln!(
                    "pcapkit: {}: {} frames ({} malformed) -> {to}",
                    done.input, extraction.summary.frames, extraction.summary.malformed
                );
            }
        }
        // Most errors name their input already; the others (a report unwritable) get it.
        Err(err) if err.to_string().contains(done.input.as_str()) => eprintln!("pcapkit: {err}"),
        Err(err) => eprintln!("pcapkit: {}: {err}", done.input),
    };
    let failed = batch.run(open, |done| match &bars {
        Some(bars) => bars.suspend(|| report(done)),
        None => report(done),
    })?;
    if failed > 0 {
        eprintln!(
            "pcapkit: {failed} of {} inputs failed (the others were written)",
            cli.inputs.len()
        );
        return Ok(1);
    }
    Ok(0)
}

/// Whether `-o` names a folder: it ends with `/` or is one.
fn names_a_folder(path: &Path) -> bool {
    path.as_os_str().as_encoded_bytes().ends_with(b"/") || path.is_dir()
}

/// Whether a new `-o` path given with several inputs is named like a report (`out.ndjson`,
/// not `out/` or `reports`): then it is more likely a mistake than a folder to create.
fn looks_like_a_report(path: &Path) -> bool {
    !path.as_os_str().as_encoded_bytes().ends_with(b"/")
        && !path.exists()
        && Format::from_path(path).is_some()
}

/// `-P` / `-L` as a [`Stop`].
fn stop_option(cli: &Cli) -> pcapkit::Result<Option<Stop>> {
    Stop::from_names(cli.protocol.as_deref(), cli.layer.as_deref())
}

/// `--analyse`: the HTTP exchanges of `input`, one JSON object a line.
fn analyse(cli: &Cli, input: &str) -> pcapkit::Result<()> {
    let input_id = std::fs::metadata(input).ok().map(|meta| FileId::of(&meta));
    let (output, mut writer) = match &cli.output {
        Some(path) => Output::file_except(path, input_id)?,
        None => Output::stdout(),
    };
    // Exchanges are written as they are paired; the first write error is kept (and the rest
    // of the capture read for nothing).
    let mut written = Ok(());
    pcapkit::reassembly::analyse_each(input, |exchange| {
        if written.is_ok() {
            written = serde_json::to_writer(&mut writer, &exchange)
                .map_err(io::Error::from)
                .and_then(|()| writer.write_all(b"\n"));
        }
    })?;
    let result = written.and_then(|()| writer.flush());
    drop(writer);
    result.map_err(|source| Error::Write {
        path: cli.output.clone().unwrap_or_else(|| PathBuf::from("-")),
        source,
    })?;
    output.commit()
}

/// `--follow`: the reassembled stream of one TCP flow of `input`.
fn follow(cli: &Cli, input: &str) -> pcapkit::Result<()> {
    use pcapkit::trace::{FlowSelector, FollowFormat};
    let select = match (cli.flow, &cli.tuple) {
        (Some(id), _) => FlowSelector::Id(id),
        (None, Some(tuple)) => tuple.parse()?,
        (None, None) => {
            return Err(Error::Usage(
                "follow needs --flow ID or --tuple A:PA-B:PB".into(),
            ));
        }
    };
    let format = match (&cli.format, cli.json) {
        (Some(name), _) => name.parse()?,
        (None, true) => FollowFormat::Json,
        (None, false) => FollowFormat::Text,
    };
    let (output, mut writer) = match &cli.output {
        Some(path) => Output::file(path)?,
        None => Output::stdout(),
    };
    let result = pcapkit::trace::follow(Path::new(input), select, format, &mut writer);
    drop(writer);
    result.map_err(|e| match (e, &cli.output) {
        (Error::Write { source, .. }, Some(path)) => Error::Write {
            path: path.clone(),
            source,
        },
        (e, _) => e,
    })?;
    output.commit()
}

/// The report format and output path from `-f`, `-j`, `-p`, `-t`, `-o`, `-a` and `-F`.
fn resolve_output(cli: &Cli) -> pcapkit::Result<(Format, Option<PathBuf>)> {
    let named = named_format(cli)?;
    let Some(path) = &cli.output else {
        if cli.auto_extension {
            return Err(Error::Usage("-a/--auto-extension needs -o/--output".into()));
        }
        if cli.files {
            return Err(Error::Usage(
                "-F/--files needs -o/--output: the folder for the frame files".into(),
            ));
        }
        let format = named.unwrap_or_else(stdout_default_format);
        if format.needs_file() && io::stdout().is_terminal() {
            return Err(Error::Usage(format!(
                "-f {format} is not written to a terminal: give -o/--output or pipe it \
                 (pcapkit cap.pcap -f pcap | tshark -r -)"
            )));
        }
        return Ok((format, None));
    };
    if cli.files {
        if cli.auto_extension {
            return Err(Error::Usage(
                "-a/--auto-extension does not apply to -F: --output is a folder".into(),
            ));
        }
        let format = named.ok_or_else(|| {
            Error::Usage(
                "-F/--files needs a format: give -f json|ndjson|plist|tree|pcap (or -j, -p, -t)"
                    .into(),
            )
        })?;
        return Ok((format, Some(path.clone())));
    }
    let extension = path.extension().and_then(|e| e.to_str());
    if let (None, Some(error)) = (named, extension.and_then(Format::not_in_build)) {
        return Err(error);
    }
    let format = match (named, extension.and_then(Format::from_extension)) {
        (Some(format), _) | (None, Some(format)) => format,
        (None, None) if extension.is_some_and(|e| e.eq_ignore_ascii_case("pcapng")) => {
            return Err(Error::Usage(format!(
                "'{}': pcapkit writes classic pcap, not pcapng: name the output .pcap \
                 (or give -f pcap to write classic pcap under this name)",
                path.display()
            )));
        }
        // A device, FIFO or socket (`-o /dev/null`) has no extension: as for a pipe.
        (None, None) if std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir()) => {
            Format::Ndjson
        }
        (None, None) => {
            return Err(Error::Usage(format!(
                "cannot tell the report format of '{}': give -f json|ndjson|plist|tree|pcap \
                 (or -j, -p, -t) or an extension (.json, .ndjson, .jsonl, .plist, .txt, .pcap)",
                path.display()
            )));
        }
    };
    let path = if cli.auto_extension && path.extension().is_none() {
        path.with_extension(format.extension())
    } else {
        path.clone()
    };
    Ok((format, Some(path)))
}

/// The format `-f`, `-j`, `-p` or `-t` names, if any.
fn named_format(cli: &Cli) -> pcapkit::Result<Option<Format>> {
    Ok(match (&cli.format, cli.json, cli.plist, cli.tree) {
        (Some(name), ..) => Some(name.parse::<Format>()?),
        (None, true, _, _) => Some(Format::Json),
        (None, _, true, _) => Some(Format::Plist),
        (None, _, _, true) => Some(Format::Tree),
        _ => None,
    })
}

/// The format of a report on stdout when none is named: tree for a terminal, else ndjson.
fn stdout_default_format() -> Format {
    if io::stdout().is_terminal() {
        Format::Tree
    } else {
        Format::Ndjson
    }
}

/// A progress bar on stderr when it is a terminal and `-q` was not given.
fn progress_bar(cli: &Cli, input: &str) -> Option<ProgressBar> {
    if cli.quiet || !io::stderr().is_terminal() {
        return None;
    }
    let total = if input == "-" {
        None
    } else {
        std::fs::metadata(Path::new(input))
            .ok()
            .filter(|m| m.is_file())
            .map(|m| m.len())
    };
    let bar = match total {
        Some(len) => ProgressBar::new(len).with_style(
            ProgressStyle::with_template(
                "{prefix}{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} ({eta})",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        ),
        None => ProgressBar::new_spinner(),
    };
    Some(bar)
}

/// `-v`: ` - Frame N: Ethernet:IPv4:TCP` on stderr for each frame, as a stage (after
/// ` - INPUT: ` with several inputs).
struct Verbose {
    label: Option<String>,
}

impl Stage for Verbose {
    fn frame(&mut self, _raw: &RawFrame<'_>, frame: &Frame, _out: &mut Vec<Record>) {
        // Like a progress bar, a diagnostic that cannot be shown does not stop the report.
        let _ = writeln!(
            io::stderr().lock(),
            " - {}Frame {}: {}",
            self.label.as_deref().unwrap_or(""),
            frame.number,
            frame.protocol_chain()
        );
    }

    fn finish(&mut self, _out: &mut Vec<Record>) {}
}
