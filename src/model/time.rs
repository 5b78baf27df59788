//! Capture timestamps: nanosecond precision, RFC 3339 UTC and `secs.nanos` text forms.

use serde::{Serialize, Serializer};
use std::fmt;

/// A point in time as seconds and nanoseconds since the Unix epoch (UTC).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    /// Whole seconds since 1970-01-01T00:00:00Z (negative before it).
    pub secs: i64,
    /// Nanoseconds within the second (0..1_000_000_000).
    pub nanos: u32,
}

impl Timestamp {
    /// Builds a timestamp, carrying nanoseconds ≥ 1 s into the seconds.
    pub fn new(secs: i64, nanos: u64) -> Timestamp {
        // The usual case (a record's fraction within its second) without the division.
        if let Ok(nanos @ 0..1_000_000_000) = u32::try_from(nanos) {
            return Timestamp { secs, nanos };
        }
        let carry = (nanos / 1_000_000_000) as i64;
        Timestamp {
            secs: secs.saturating_add(carry),
            nanos: (nanos % 1_000_000_000) as u32,
        }
    }

    /// Builds a timestamp from a count of `units_per_sec` ticks since the epoch (pcapng).
    pub fn from_ticks(ticks: u64, units_per_sec: u64) -> Timestamp {
        let units = units_per_sec.max(1);
        let secs = ticks / units;
        let rem = u128::from(ticks % units);
        let nanos = rem * 1_000_000_000 / u128::from(units);
        Timestamp::new(secs as i64, nanos as u64)
    }

    /// Writes `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ` into `out`, returning the used part.
    pub fn write_rfc3339(self, out: &mut [u8; 40]) -> &str {
        let days = self.secs.div_euclid(86_400);
        let secs_of_day = self.secs.rem_euclid(86_400) as u32;
        let (year, month, day) = civil_from_days(days);
        let mut w = AsciiWriter { out, len: 0 };
        if (0..=9999).contains(&year) {
            w.digits(year as u64, 4);
        } else {
            w.bytes(if year < 0 { b"-" } else { b"+" });
            w.digits(year.unsigned_abs() % 1_000_000, 6);
        }
        w.bytes(b"-");
        w.digits(u64::from(month), 2);
        w.bytes(b"-");
        w.digits(u64::from(day), 2);
        w.bytes(b"T");
        w.digits(u64::from(secs_of_day / 3600), 2);
        w.bytes(b":");
        w.digits(u64::from(secs_of_day / 60 % 60), 2);
        w.bytes(b":");
        w.digits(u64::from(secs_of_day % 60), 2);
        w.bytes(b".");
        w.digits(u64::from(self.nanos), 9);
        w.bytes(b"Z");
        w.finish()
    }

    /// Writes `secs.nnnnnnnnn` (as tshark's `frame.time_epoch`) into `out`.
    pub fn write_epoch(self, out: &mut [u8; 40]) -> &str {
        let mut w = AsciiWriter { out, len: 0 };
        if self.secs < 0 {
            w.bytes(b"-");
        }
        let secs = self.secs.unsigned_abs();
        let width = secs.checked_ilog10().map_or(1, |d| d as usize + 1);
        w.digits(secs, width);
        w.bytes(b".");
        w.digits(u64::from(self.nanos), 9);
        w.finish()
    }

    /// The RFC 3339 form, e.g. `2024-05-01T12:00:00.000000001Z`.
    pub fn to_rfc3339(self) -> String {
        self.write_rfc3339(&mut [0; 40]).to_owned()
    }

    /// The `secs.nanos` form, e.g. `1714564800.000000001`.
    pub fn to_epoch_string(self) -> String {
        self.write_epoch(&mut [0; 40]).to_owned()
    }
}

/// Appends ASCII to a fixed stack buffer (no allocation on the per-frame path).
struct AsciiWriter<'a> {
    out: &'a mut [u8; 40],
    len: usize,
}

impl<'a> AsciiWriter<'a> {
    fn bytes(&mut self, bytes: &[u8]) {
        self.out[self.len..self.len + bytes.len()].copy_from_slice(bytes);
        self.len += bytes.len();
    }

    /// `value` as exactly `width` decimal digits, zero-padded (higher digits dropped).
    fn digits(&mut self, mut value: u64, width: usize) {
        for slot in self.out[self.len..self.len + width].iter_mut().rev() {
            *slot = b'0' + (value % 10) as u8;
            value /= 10;
        }
        self.len += width;
    }

    fn finish(self) -> &'a str {
        std::str::from_utf8(&self.out[..self.len]).unwrap_or_default()
    }
}

/// Days since 1970-01-01 to (year, month, day), Howard Hinnant's `civil_from_days`.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.write_rfc3339(&mut [0; 40]))
    }
}

/// Serializes a timestamp in its RFC 3339 form.
impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.write_rfc3339(&mut [0; 40]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_tshark_and_rfc3339() {
        let t = Timestamp::new(1_418_145_370, 123_456_789);
        assert_eq!(t.to_rfc3339(), "2014-12-09T17:16:10.123456789Z");
        assert_eq!(t.to_epoch_string(), "1418145370.123456789");
        let epoch = Timestamp::default();
        assert_eq!(epoch.to_rfc3339(), "1970-01-01T00:00:00.000000000Z");
        assert_eq!(epoch.to_epoch_string(), "0.000000000");
        // 2^31 seconds: past the signed 32-bit limit, read as unsigned.
        let t2038 = Timestamp::new(2_147_483_648, 0);
        assert_eq!(t2038.to_rfc3339(), "2038-01-19T03:14:08.000000000Z");
        assert_eq!(
            Timestamp::new(1, 2_500_000_000).to_epoch_string(),
            "3.500000000"
        );
        assert_eq!(
            Timestamp::new(951_782_400, 0).to_rfc3339(),
            "2000-02-29T00:00:00.000000000Z"
        );
        assert_eq!(
            Timestamp::new(-1, 0).to_rfc3339(),
            "1969-12-31T23:59:59.000000000Z"
        );
    }

    #[test]
    fn ticks_convert_any_resolution() {
        assert_eq!(
            Timestamp::from_ticks(1_500_000, 1_000_000),
            Timestamp::new(1, 500_000_000)
        );
        // if_tsresol 2^-8: 256 ticks a second.
        assert_eq!(
            Timestamp::from_ticks(257, 256),
            Timestamp::new(1, 3_906_250)
        );
        assert_eq!(Timestamp::from_ticks(5, 0), Timestamp::new(5, 0));
    }
}
