//! The capture reader on whole files (pcap, pcapng, anything): every frame is read or the
//! reader stops with a reason; it never panics, loops or allocates what a length claims.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pcapkit::capture::CaptureReader;

fuzz_target!(|data: &[u8]| {
    let input = std::io::Cursor::new(data.to_vec());
    let Ok(mut reader) = CaptureReader::from_reader("fuzz", Box::new(input)) else {
        return;
    };
    let mut frames = 0u64;
    while let Some(frame) = reader.next_frame() {
        frames += 1;
        assert_eq!(frame.number, frames);
        assert!(frame.data.len() <= data.len());
    }
    assert!(reader.bytes_read() <= data.len() as u64);
});
