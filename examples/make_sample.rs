//! Writes `samples/sample.pcap`, the repository's sample capture, from pcapkit's own frame
//! builders (`pcapkit::synth`): `cargo run --example make_sample [PATH]`.

use pcapkit::capture::PcapWriter;
use pcapkit::model::LinkType;
use std::fs::File;
use std::io::BufWriter;

fn main() -> std::io::Result<()> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "samples/sample.pcap".to_owned());
    let file = BufWriter::new(File::create(&path)?);
    let mut writer = PcapWriter::new(file, LinkType::ETHERNET, 65535, false)?;
    let frames = pcapkit::synth::sample_conversation();
    for frame in &frames {
        writer.write_frame(frame.timestamp, frame.orig_len, &frame.data)?;
    }
    println!("wrote {} frames to {path}", frames.len());
    Ok(())
}
