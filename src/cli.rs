//! The command line (jspcapy heritage, flat): clap definitions and their translation into a
//! library call. Exit codes: 0 success, 1 input unreadable or output unwritable, 2 usage.

use clap::Parser;
use indicatif::{ProgressBar, ProgressStyle};
use pcapkit::capture::{CaptureInfo, RawFrame, StoppedEarly};
use pcapkit::dump::{Dumper, Format, Output};
use pcapkit::engine::FrameSink;
use pcapkit::model::{Frame, Level, ProtoId, Summary};
use pcapkit::{EngineKind, Error, Extractor, Options, Stop};
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};

/// Streaming packet-capture extractor: pcap/pcapng to JSON or NDJSON reports.
#[derive(Debug, Parser)]
#[command(name = "pcapkit", version, about, max_term_width = 100)]
pub struct Cli {
    /// Capture to read: a path ('.pcap' is appended if the name does not exist), or '-' for stdin
    #[arg(required_unless_present = "engines")]
    pub input: Option<String>,

    /// Report file (default: stdout)
    #[arg(short, long, value_name = "PATH")]
    pub output: Option<PathBuf>,

    /// Report format: json | ndjson (default: from the output's extension; ndjson on stdout)
    #[arg(short, long, value_name = "FMT")]
    pub format: Option<String>,

    /// Shorthand for --format json
    #[arg(short, long, conflicts_with = "format")]
    pub json: bool,

    /// Append the format's extension to --output when it has none
    #[arg(short, long)]
    pub auto_extension: bool,

    /// Engine: native (default)
    #[arg(short = 'E', long, value_name = "NAME", default_value = "native")]
    pub engine: String,

    /// Stop dissection after this protocol (case-insensitive, e.g. IPv4, tcp)
    #[arg(short = 'P', long, value_name = "NAME", conflicts_with = "layer")]
    pub protocol: Option<String>,

    /// Stop dissection after this layer: raw | link | inet | trans | app
    #[arg(short = 'L', long, value_name = "LAYER")]
    pub layer: Option<String>,

    /// Print ' - Frame N: Ethernet:IPv4:TCP' for each frame on stderr
    #[arg(short, long)]
    pub verbose: bool,

    /// No progress bar
    #[arg(short, long)]
    pub quiet: bool,

    /// List the engines this build has, with what each decodes
    #[arg(long)]
    pub engines: bool,
}

/// Runs the command line and returns the process exit code.
pub fn run(cli: Cli) -> i32 {
    match execute(&cli) {
        Ok(()) => 0,
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

fn execute(cli: &Cli) -> pcapkit::Result<()> {
    if cli.engines {
        for engine in EngineKind::ALL {
            println!("{:<10} {}", engine.name(), engine.description());
        }
        return Ok(());
    }
    let options = Options {
        engine: cli.engine.parse()?,
        stop: stop_option(cli)?,
        store: false,
    };
    let (format, output_path) = resolve_output(cli)?;
    let input = cli.input.as_deref().unwrap_or("-");
    let extractor = Extractor::open(input)?.options(options);
    let progress = progress_bar(cli, input);

    let (output, writer) = match &output_path {
        Some(path) => Output::file(path)?,
        None => Output::stdout(),
    };
    let mut dumper = Observed {
        inner: format.dumper(writer),
        progress,
        verbose: cli.verbose,
        bytes: 0,
    };
    let result = extractor.run_into(Some(&mut dumper));
    if let Some(bar) = &dumper.progress {
        bar.finish_and_clear();
    }
    drop(dumper);
    let extraction = result.map_err(|source| Error::Write {
        path: output_path.clone().unwrap_or_else(|| PathBuf::from("-")),
        source,
    })?;
    output.commit()?;
    if let Some(stopped) = &extraction.stopped_early {
        eprintln!(
            "pcapkit: warning: {input}: {stopped}; kept the {} complete frames before it",
            extraction.summary.frames
        );
    }
    Ok(())
}

/// `-P` / `-L` as a [`Stop`].
fn stop_option(cli: &Cli) -> pcapkit::Result<Option<Stop>> {
    if let Some(name) = &cli.protocol {
        let proto = ProtoId::from_name(name).ok_or_else(|| {
            let known: Vec<&str> = ProtoId::ALL.iter().map(|p| p.name()).collect();
            Error::Usage(format!(
                "unknown protocol '{name}' for -P (known: {})",
                known.join(", ")
            ))
        })?;
        return Ok(Some(Stop::Protocol(proto)));
    }
    if let Some(name) = &cli.layer {
        let level = Level::from_name(name).ok_or_else(|| {
            Error::Usage(format!(
                "unknown layer '{name}' for -L (valid: raw, link, inet, trans, app)"
            ))
        })?;
        return Ok(Some(Stop::Level(level)));
    }
    Ok(None)
}

/// The report format and output path from `-f`, `-j`, `-o` and `-a`.
fn resolve_output(cli: &Cli) -> pcapkit::Result<(Format, Option<PathBuf>)> {
    let named = match (&cli.format, cli.json) {
        (Some(name), _) => Some(name.parse::<Format>()?),
        (None, true) => Some(Format::Json),
        (None, false) => None,
    };
    let Some(path) = &cli.output else {
        if cli.auto_extension {
            return Err(Error::Usage("-a/--auto-extension needs -o/--output".into()));
        }
        return Ok((named.unwrap_or(Format::Ndjson), None));
    };
    let from_extension = Format::from_path(path);
    let format = match (named, from_extension) {
        (Some(format), _) | (None, Some(format)) => format,
        (None, None) => {
            return Err(Error::Usage(format!(
                "cannot tell the report format of '{}': give -f json|ndjson or an extension \
                 (.json, .ndjson, .jsonl)",
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
                "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} ({eta})",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        ),
        None => ProgressBar::new_spinner(),
    };
    Some(bar)
}

/// Wraps the dumper with the per-frame side effects of the CLI: progress and `-v`.
struct Observed<'w> {
    inner: Box<dyn Dumper + 'w>,
    progress: Option<ProgressBar>,
    verbose: bool,
    bytes: u64,
}

/// Frames between two progress-bar updates.
const PROGRESS_EVERY: u64 = 4096;

impl FrameSink for Observed<'_> {
    fn frame(&mut self, raw: &RawFrame<'_>, frame: &Frame) -> io::Result<()> {
        if self.verbose {
            let mut err = io::stderr().lock();
            writeln!(err, " - Frame {}: {}", frame.number, frame.protocol_chain())?;
        }
        if let Some(bar) = &self.progress {
            // A pcap record header is 16 bytes; close enough for pcapng blocks.
            self.bytes += u64::from(frame.cap_len) + 16;
            if frame.number.is_multiple_of(PROGRESS_EVERY) {
                bar.set_position(self.bytes);
            }
        }
        self.inner.frame(raw, frame)
    }
}

impl Dumper for Observed<'_> {
    fn begin(&mut self, info: &CaptureInfo) -> io::Result<()> {
        self.inner.begin(info)
    }

    fn finish(&mut self, summary: &Summary, stopped: Option<&StoppedEarly>) -> io::Result<()> {
        self.inner.finish(summary, stopped)
    }
}
