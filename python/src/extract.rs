//! `extract()`: PyPCAPKit's verb over pcapkit's pipeline, and the `Extraction` it returns.

use crate::errors::to_py;
use crate::options::dissect_options;
use pcapkit::dump::{Format, Output};
use pcapkit::reassembly::{Kinds, ReassemblyOptions};
use pcapkit::trace::TraceOptions;
use pcapkit::{Error, Extractor, Options};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyIterator, PyList};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// What `extract` was asked to write.
enum Report {
    /// One report in this format at this path (temporary name, renamed when complete).
    File(Format, PathBuf),
    /// One report per frame in this folder (`files=True`).
    PerFrame(Format, PathBuf),
}

/// Everything one run needs, built with the GIL held and run without it.
struct Job {
    fin: PathBuf,
    options: Options,
    reassembly: Option<ReassemblyOptions>,
    trace: Option<(PathBuf, TraceOptions)>,
    report: Option<Report>,
}

/// What a run gives back before it becomes Python objects.
struct Done {
    extraction: pcapkit::Extraction,
    flows: Option<[u64; 2]>,
}

impl Job {
    fn run(self) -> pcapkit::Result<Done> {
        let mut extractor = Extractor::open(&self.fin)?.options(self.options);
        if let Some(options) = self.reassembly {
            extractor = extractor.reassemble(options);
        }
        let mut handle = None;
        if let Some((dir, options)) = &self.trace {
            let (with_trace, trace) = extractor.trace(dir, options)?;
            extractor = with_trace;
            handle = Some(trace);
        }
        // The report is written under a temporary name and put in place only once the trace
        // has succeeded too, as the CLI does: a failed run leaves no new or half report.
        let (extraction, output) = match &self.report {
            Some(Report::File(format, path)) => {
                let (output, writer) = Output::file_except(path, extractor.input_id())?;
                let mut dumper = format.dumper(writer);
                let result = extractor.run_into(Some(dumper.as_mut()));
                drop(dumper);
                (
                    result.map_err(|source| write_error(path, source))?,
                    Some(output),
                )
            }
            Some(Report::PerFrame(format, dir)) => (extractor.write_files(*format, dir)?, None),
            None => {
                let result = extractor.run_into(None);
                (
                    result.map_err(|source| write_error(Path::new("-"), source))?,
                    None,
                )
            }
        };
        let flows = match handle {
            Some(handle) => {
                handle.result()?;
                Some(handle.flows())
            }
            None => None,
        };
        if let Some(output) = output {
            output.commit()?;
        }
        Ok(Done { extraction, flows })
    }
}

/// A write error on the report at `path` (`-`: none written).
fn write_error(path: &Path, source: std::io::Error) -> Error {
    Error::Write {
        path: path.to_owned(),
        source,
    }
}

/// The outcome of `extract()`: the frames (with `store=True`), the capture header and totals.
#[pyclass(frozen, module = "pcapkit_rs")]
pub(crate) struct Extraction {
    /// Every frame as a dict with the JSON frame model's keys (empty unless `store=True`).
    #[pyo3(get)]
    frames: Py<PyList>,
    /// The capture header (`{"format": "pcap", "link_type": ..., ...}`).
    #[pyo3(get)]
    info: Py<PyAny>,
    /// Totals: `frames`, `bytes`, `malformed`, `by_protocol`, and the stages' counters.
    #[pyo3(get)]
    summary: Py<PyAny>,
    /// Frames extracted (PyPCAPKit's `length`), stored or not.
    #[pyo3(get)]
    length: u64,
    /// Why reading stopped before the end of the input (truncated or damaged tail), if it did.
    #[pyo3(get)]
    stopped_early: Option<String>,
    /// The report written (a file, or the folder with `files=True`), if any.
    #[pyo3(get)]
    output: Option<PathBuf>,
    /// With `trace`: `(TCP flows, UDP conversations)` written.
    #[pyo3(get)]
    flows: Option<(u64, u64)>,
}

#[pymethods]
impl Extraction {
    fn __len__(&self, py: Python<'_>) -> usize {
        self.frames.bind(py).len()
    }

    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyIterator>> {
        self.frames.bind(py).try_iter()
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "<pcapkit_rs.Extraction: {} frames, {} stored>",
            self.length,
            self.frames.bind(py).len()
        )
    }
}

/// Extracts a pcap or pcapng capture, PyPCAPKit style.
///
/// `fin`: the capture (`str` or path). `fout`: report path (folder with `files=True`);
/// `format`: json | ndjson | plist | tree | pcap, else from `fout`'s extension; `extension`:
/// append the format's extension to a `fout` without one; `nofile`: write no report.
/// `engine`, `layer` (raw | link | inet | trans | app), `protocol`: as `-E`, `-L`, `-P`.
/// `store`: keep the frames as dicts in the result. `reassemble`: True, "all", "ipv4,tcp" or
/// a list of names; PyPCAPKit's `reassembly=True` with `ip`/`ipv4`/`ipv6`/`tcp` choosing
/// (all when none is given); `strict`: only complete datagrams and messages. `trace`: a folder
/// (or True with `trace_fout`) for one pcap per TCP flow and an index; `trace_format`: only
/// "pcap"; `trace_udp`: UDP conversations too. `threads`: workers of `server`/`pipeline`.
#[pyfunction]
#[pyo3(signature = (
    fin, fout=None, format=None, *, extension=true, store=true, files=false, nofile=false,
    engine=None, layer=None, protocol=None, reassemble=None, reassembly=false, ip=false,
    ipv4=false, ipv6=false, tcp=false, strict=false, trace=None, trace_fout=None,
    trace_format=None, trace_udp=false, threads=0
))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn extract(
    py: Python<'_>,
    fin: PathBuf,
    fout: Option<PathBuf>,
    format: Option<&str>,
    extension: bool,
    store: bool,
    files: bool,
    nofile: bool,
    engine: Option<&str>,
    layer: Option<&str>,
    protocol: Option<&str>,
    reassemble: Option<&Bound<'_, PyAny>>,
    reassembly: bool,
    ip: bool,
    ipv4: bool,
    ipv6: bool,
    tcp: bool,
    strict: bool,
    trace: Option<&Bound<'_, PyAny>>,
    trace_fout: Option<PathBuf>,
    trace_format: Option<&str>,
    trace_udp: bool,
    threads: usize,
) -> PyResult<Extraction> {
    let pypcapkit_kinds = reassembly.then(|| {
        let chosen = Kinds::default().ipv4(ip || ipv4).ipv6(ip || ipv6).tcp(tcp);
        if chosen.is_empty() {
            Kinds::ALL
        } else {
            chosen
        }
    });
    let kinds = union(reassemble_kinds(reassemble)?, pypcapkit_kinds);
    let job = Job {
        fin,
        options: dissect_options(engine, layer, protocol, threads)?.store(store),
        reassembly: kinds.map(|kinds| ReassemblyOptions::new(kinds).strict(strict)),
        trace: trace_dir(trace, trace_fout, trace_format)?
            .map(|dir| (dir, TraceOptions::default().udp(trace_udp))),
        report: report(fout, format, extension, files, nofile)?,
    };
    let output = job.report.as_ref().map(|report| match report {
        Report::File(_, path) | Report::PerFrame(_, path) => path.clone(),
    });
    let done = py.detach(|| job.run()).map_err(to_py)?;
    let extraction = done.extraction;
    let frames = json_to_py(py, &extraction.frames)?.cast_into::<PyList>()?;
    Ok(Extraction {
        frames: frames.unbind(),
        info: json_to_py(py, &extraction.info)?.unbind(),
        summary: json_to_py(py, &extraction.summary)?.unbind(),
        length: extraction.summary.frames,
        stopped_early: extraction.stopped_early.map(|stopped| stopped.to_string()),
        output,
        flows: done.flows.map(|[tcp, udp]| (tcp, udp)),
    })
}

/// `value` as Python objects, through its JSON (the report's bytes, so dicts have the JSON
/// keys in the JSON order, lists where JSON has arrays) and `json.loads`.
fn json_to_py<'py>(py: Python<'py>, value: &impl Serialize) -> PyResult<Bound<'py, PyAny>> {
    let text = serde_json::to_vec(value)
        .map_err(|err| PyValueError::new_err(format!("cannot encode as JSON: {err}")))?;
    py.import("json")?
        .call_method1("loads", (PyBytes::new(py, &text),))
}

/// The report to write, from `fout`, `format`, `extension`, `files` and `nofile`.
fn report(
    fout: Option<PathBuf>,
    format: Option<&str>,
    extension: bool,
    files: bool,
    nofile: bool,
) -> PyResult<Option<Report>> {
    let named = format
        .map(|name| name.parse::<Format>())
        .transpose()
        .map_err(to_py)?;
    let Some(path) = fout.filter(|_| !nofile) else {
        return Ok(None);
    };
    if files {
        let format = named.ok_or_else(|| {
            PyValueError::new_err("files=True needs format= (json, ndjson, plist, tree or pcap)")
        })?;
        return Ok(Some(Report::PerFrame(format, path)));
    }
    let format = named.or_else(|| Format::from_path(&path)).ok_or_else(|| {
        PyValueError::new_err(format!(
            "cannot tell the report format of '{}': give format= (json, ndjson, plist, tree, \
             pcap) or an extension (.json, .ndjson, .jsonl, .plist, .txt, .pcap)",
            path.display()
        ))
    })?;
    let path = if extension && path.extension().is_none() {
        path.with_extension(format.extension())
    } else {
        path
    };
    Ok(Some(Report::File(format, path)))
}

/// `reassemble=`: None/False (none), True (all), a list string ("ipv4,tcp", "all") or a
/// sequence of names.
fn reassemble_kinds(reassemble: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Kinds>> {
    let Some(value) = reassemble else {
        return Ok(None);
    };
    if let Ok(on) = value.extract::<bool>() {
        return Ok(on.then_some(Kinds::ALL));
    }
    let list = match value.extract::<String>() {
        Ok(list) => list,
        Err(_) => value.extract::<Vec<String>>()?.join(","),
    };
    list.parse()
        .map(Some)
        .map_err(|err: pcapkit::reassembly::UnknownKind| PyValueError::new_err(err.to_string()))
}

/// Both choices of reassemblers together.
fn union(a: Option<Kinds>, b: Option<Kinds>) -> Option<Kinds> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.union(b)),
        (a, b) => a.or(b),
    }
}

/// The trace folder from `trace` (a path, or True with `trace_fout`), if tracing.
fn trace_dir(
    trace: Option<&Bound<'_, PyAny>>,
    trace_fout: Option<PathBuf>,
    trace_format: Option<&str>,
) -> PyResult<Option<PathBuf>> {
    if let Some(format) = trace_format.filter(|f| !f.eq_ignore_ascii_case("pcap")) {
        return Err(PyValueError::new_err(format!(
            "trace_format={format:?}: pcapkit writes each flow as pcap (trace_format='pcap')"
        )));
    }
    let Some(value) = trace else {
        return Ok(None);
    };
    if let Ok(on) = value.extract::<bool>() {
        return match (on, trace_fout) {
            (false, _) => Ok(None),
            (true, Some(dir)) => Ok(Some(dir)),
            (true, None) => Err(PyValueError::new_err(
                "trace=True needs trace_fout= (the folder for the flow files)",
            )),
        };
    }
    Ok(Some(value.extract::<PathBuf>()?))
}
