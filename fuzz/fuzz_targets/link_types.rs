//! The link types the fuzz targets choose from by one input byte (`byte % LINK_TYPES.len()`):
//! every link type the native dissector decodes, and one it does not (147, a user DLT), so
//! that nearly every input reaches a decoder. Shared with `examples/fuzz_seeds.rs`.

/// Every link type of `engine::native::first_protocol`, then an unknown one.
pub const LINK_TYPES: [u32; 24] = [
    1,   // Ethernet
    0,   // BSD loopback (Null)
    108, // OpenBSD loopback
    12,  // raw IP (BSD)
    14,  // raw IP (OpenBSD)
    101, // raw IP
    228, // IPv4
    229, // IPv6
    113, // Linux SLL
    276, // Linux SLL2
    239, // NFLOG
    9,   // PPP
    50,  // PPP in HDLC-like framing
    51,  // PPPoE without its Ethernet header
    104, // Cisco HDLC
    105, // IEEE 802.11
    107, // Frame Relay
    119, // Prism
    127, // Radiotap
    129, // ARCNET
    192, // PPI
    226, // Solaris IPNET
    242, // IP over InfiniBand
    147, // unknown (user DLT 0)
];

/// The link type `byte` selects.
#[allow(dead_code)]
pub fn link_type(byte: u8) -> u32 {
    LINK_TYPES[usize::from(byte) % LINK_TYPES.len()]
}

/// The byte that selects `link_type` (its index in the table), if the table has it.
#[allow(dead_code)]
pub fn selector(link_type: u32) -> Option<u8> {
    LINK_TYPES
        .iter()
        .position(|&t| t == link_type)
        .map(|i| i as u8)
}
