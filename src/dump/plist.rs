//! `plist`: the `json` document as an Apple XML property list, streamed frame by frame.
//!
//! The XML envelope (`<plist><dict>…<key>frames</key><array>`) is written by hand and each frame
//! is serialized on its own into a reused buffer, so memory stays flat however long the capture
//! is. Keys and their order are those of `json`; `null`s are left out (plist has none), bytes
//! are hex strings as in JSON, and each frame's `time` is a `<date>` (whole seconds, as plist
//! readers keep them: `time_epoch` keeps the nanoseconds).

use super::encoder::{Encoder, EncodingDumper, Placement};
use super::events::{self, Scalar, Sink};
use crate::capture::{CaptureInfo, RawFrame, StoppedEarly};
use crate::model::{Frame, Summary};
use crate::pipeline::{Record, RecordKind};
use std::io;

/// What precedes the document's dictionary.
const PROLOGUE: &[u8] = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \
\"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n<plist version=\"1.0\">\n<dict>\n";

/// Encodes the plist document one frame at a time (never built in memory).
///
/// `{file, frames, summary, stopped_early?}` as in `json`, each frame one line of XML inside
/// the `frames` array; the stages' records in one array per kind after `frames`, as in `json`.
#[derive(Clone, Copy, Debug, Default)]
pub struct PlistEncoder;

/// Writes the plist document (see [`PlistEncoder`]); give it a buffered writer, as for
/// [`JsonDumper`](super::JsonDumper).
pub type PlistDumper<W> = EncodingDumper<PlistEncoder, W>;

/// Appends `prefix`, `value` as plist XML and a newline.
fn item<T: serde::Serialize + ?Sized>(
    prefix: &[u8],
    value: &T,
    out: &mut Vec<u8>,
) -> io::Result<()> {
    out.extend_from_slice(prefix);
    encode(value, out)?;
    out.push(b'\n');
    Ok(())
}

/// Appends `value` as plist XML (no envelope) to `out`. A string under the key `time` of the
/// outermost dictionary that holds an RFC 3339 time in years 1–9999 becomes a `<date>`.
pub(crate) fn encode<T: serde::Serialize + ?Sized>(value: &T, out: &mut Vec<u8>) -> io::Result<()> {
    let mut sink = PlistSink {
        out,
        depth: 0,
        key_at: None,
        date_next: false,
    };
    Ok(events::emit(value, &mut sink)?)
}

impl Encoder for PlistEncoder {
    fn placement(&self) -> Placement {
        Placement::Sections
    }

    fn begin(&mut self, info: &CaptureInfo, out: &mut Vec<u8>) -> io::Result<()> {
        out.extend_from_slice(PROLOGUE);
        item(b"<key>file</key>", info, out)?;
        out.extend_from_slice(b"<key>frames</key>\n<array>\n");
        Ok(())
    }

    fn frame(
        &mut self,
        _raw: &RawFrame<'_>,
        frame: &Frame,
        _index: u64,
        out: &mut Vec<u8>,
    ) -> io::Result<()> {
        item(b"", frame, out)
    }

    fn record(&mut self, record: &Record, _index: u64, out: &mut Vec<u8>) -> io::Result<()> {
        item(b"", record, out)
    }

    fn end_frames(&self, _frames: u64, out: &mut Vec<u8>) {
        out.extend_from_slice(b"</array>\n");
    }

    fn section_begin(&self, kind: RecordKind, out: &mut Vec<u8>) {
        out.extend_from_slice(b"<key>");
        out.extend_from_slice(kind.section().as_bytes());
        out.extend_from_slice(b"</key>\n<array>\n");
    }

    fn section_end(&self, _kind: RecordKind, out: &mut Vec<u8>) {
        out.extend_from_slice(b"</array>\n");
    }

    fn finish(
        &mut self,
        summary: &Summary,
        stopped: Option<&StoppedEarly>,
        out: &mut Vec<u8>,
    ) -> io::Result<()> {
        item(b"<key>summary</key>", summary, out)?;
        if let Some(stopped) = stopped {
            item(b"<key>stopped_early</key>", stopped, out)?;
        }
        out.extend_from_slice(b"</dict>\n</plist>\n");
        Ok(())
    }
}

/// Writes plist XML for the events of one value.
struct PlistSink<'b> {
    out: &'b mut Vec<u8>,
    /// Dictionaries and arrays open.
    depth: u32,
    /// Where the pending `<key>` starts, to take it back when its value is absent.
    key_at: Option<usize>,
    /// The pending key is the outermost dictionary's `time`.
    date_next: bool,
}

impl PlistSink<'_> {
    fn value_written(&mut self) {
        self.key_at = None;
        self.date_next = false;
    }

    fn date(&mut self, text: &str) -> bool {
        // `YYYY-MM-DDTHH:MM:SS[.fraction]Z` → `YYYY-MM-DDTHH:MM:SSZ`.
        let b = text.as_bytes();
        let shape_ok = b.len() >= 20
            && b[4] == b'-'
            && b[7] == b'-'
            && b[10] == b'T'
            && b[13] == b':'
            && b[16] == b':'
            && b.last() == Some(&b'Z')
            && b[..4].iter().all(u8::is_ascii_digit)
            && &b[..4] != b"0000";
        if !shape_ok {
            return false;
        }
        self.out.extend_from_slice(b"<date>");
        self.out.extend_from_slice(&b[..19]);
        self.out.extend_from_slice(b"Z</date>");
        true
    }
}

impl Sink for PlistSink<'_> {
    fn scalar(&mut self, value: Scalar<'_>) {
        match value {
            Scalar::Bool(true) => self.out.extend_from_slice(b"<true/>"),
            Scalar::Bool(false) => self.out.extend_from_slice(b"<false/>"),
            Scalar::Int(n) => {
                self.out.extend_from_slice(b"<integer>");
                self.out
                    .extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
                self.out.extend_from_slice(b"</integer>");
            }
            Scalar::UInt(n) => {
                self.out.extend_from_slice(b"<integer>");
                self.out
                    .extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
                self.out.extend_from_slice(b"</integer>");
            }
            Scalar::Float(x) if x.is_finite() => {
                self.out.extend_from_slice(b"<real>");
                self.out.extend_from_slice(format!("{x:?}").as_bytes());
                self.out.extend_from_slice(b"</real>");
            }
            Scalar::Float(_) => self.out.extend_from_slice(b"<string></string>"),
            Scalar::Str(text) => {
                if !(self.date_next && self.date(text)) {
                    self.out.extend_from_slice(b"<string>");
                    escape_into(self.out, text);
                    self.out.extend_from_slice(b"</string>");
                }
            }
            Scalar::Bytes(bytes) => {
                self.out.extend_from_slice(b"<string>");
                for byte in bytes {
                    self.out.push(HEX[usize::from(byte >> 4)]);
                    self.out.push(HEX[usize::from(byte & 0xf)]);
                }
                self.out.extend_from_slice(b"</string>");
            }
        }
        self.value_written();
    }

    fn none(&mut self) {
        // plist has no null: leave the key out (or the element, in an array).
        if let Some(at) = self.key_at.take() {
            self.out.truncate(at);
        }
        self.date_next = false;
    }

    fn begin_map(&mut self) {
        self.out.extend_from_slice(b"<dict>");
        self.depth += 1;
        self.value_written();
    }

    fn key(&mut self, key: &str) {
        self.key_at = Some(self.out.len());
        self.date_next = self.depth == 1 && key == "time";
        self.out.extend_from_slice(b"<key>");
        escape_into(self.out, key);
        self.out.extend_from_slice(b"</key>");
    }

    fn field(&mut self, key: &'static str) {
        // Struct field names are Rust identifiers (or serde renames of them): nothing to escape.
        self.key_at = Some(self.out.len());
        self.date_next = self.depth == 1 && key == "time";
        self.out.extend_from_slice(b"<key>");
        self.out.extend_from_slice(key.as_bytes());
        self.out.extend_from_slice(b"</key>");
    }

    fn end_map(&mut self) {
        self.out.extend_from_slice(b"</dict>");
        self.depth = self.depth.saturating_sub(1);
    }

    fn begin_seq(&mut self, _len: Option<usize>) {
        self.out.extend_from_slice(b"<array>");
        self.depth += 1;
        self.value_written();
    }

    fn end_seq(&mut self) {
        self.out.extend_from_slice(b"</array>");
        self.depth = self.depth.saturating_sub(1);
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Appends `text` as XML character data: `&`, `<`, `>` escaped; `\r` as a character reference
/// (a literal one would be read back as `\n`); characters XML 1.0 forbids (other C0 controls,
/// U+FFFE, U+FFFF) replaced by U+FFFD.
fn escape_into(out: &mut Vec<u8>, text: &str) {
    let bytes = text.as_bytes();
    // Fast path (keys, addresses, names): one branch-free scan, one copy.
    if !bytes.iter().fold(false, |any, &b| {
        any | matches!(b, b'&' | b'<' | b'>' | 0..=0x1f | 0xef)
    }) {
        out.extend_from_slice(bytes);
        return;
    }
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let replacement: &[u8] = match b {
            b'&' => b"&amp;",
            b'<' => b"&lt;",
            b'>' => b"&gt;",
            b'\r' => b"&#13;",
            b'\t' | b'\n' => continue,
            0..=0x1f => "\u{fffd}".as_bytes(),
            // U+FFFE and U+FFFF are EF BF BE / EF BF BF.
            0xef if matches!(bytes.get(i + 1..i + 3), Some([0xbf, 0xbe | 0xbf])) => {
                out.extend_from_slice(&bytes[start..i]);
                out.extend_from_slice("\u{fffd}".as_bytes());
                start = i + 3;
                continue;
            }
            _ => continue,
        };
        if i < start {
            continue;
        }
        out.extend_from_slice(&bytes[start..i]);
        out.extend_from_slice(replacement);
        start = i + 1;
    }
    if start < bytes.len() {
        out.extend_from_slice(&bytes[start..]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(value: &impl serde::Serialize) -> String {
        let mut out = Vec::new();
        encode(value, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn escapes_what_xml_needs() {
        let mut out = Vec::new();
        escape_into(&mut out, "a<b>&c\r\nd\u{1}e\u{fffe}f\u{ffff}g\u{fffd}");
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "a&lt;b&gt;&amp;c&#13;\nd\u{fffd}e\u{fffd}f\u{fffd}g\u{fffd}"
        );
    }

    #[test]
    fn nones_leave_their_key_out_and_time_is_a_date() {
        #[derive(serde::Serialize)]
        struct Doc {
            time: &'static str,
            gone: Option<u8>,
            inner: Inner,
            list: Vec<(String, i32)>,
            yes: bool,
        }
        #[derive(serde::Serialize)]
        struct Inner {
            time: &'static str,
        }
        let doc = Doc {
            time: "2024-05-01T12:00:00.000000001Z",
            gone: None,
            inner: Inner {
                time: "2024-05-01T12:00:00.000000001Z",
            },
            list: vec![("a&b".into(), -3)],
            yes: true,
        };
        assert_eq!(
            text(&doc),
            "<dict><key>time</key><date>2024-05-01T12:00:00Z</date>\
             <key>inner</key><dict><key>time</key><string>2024-05-01T12:00:00.000000001Z</string></dict>\
             <key>list</key><array><array><string>a&amp;b</string><integer>-3</integer></array></array>\
             <key>yes</key><true/></dict>"
        );
    }

    #[test]
    fn odd_times_stay_strings() {
        #[derive(serde::Serialize)]
        struct Doc {
            time: &'static str,
        }
        assert_eq!(
            text(&Doc {
                time: "+010000-01-01T00:00:00.000000000Z"
            }),
            "<dict><key>time</key><string>+010000-01-01T00:00:00.000000000Z</string></dict>"
        );
    }
}
