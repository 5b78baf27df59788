//! QUIC Initial packets decrypted (RFC 9001 §5): their keys derive from the Destination
//! Connection ID and a published salt, so anyone on the path can read the TLS handshake they
//! carry (a client's Initial: the ClientHello, with its server name), as Wireshark does.
//!
//! Keys: `initial_secret = HKDF-Extract(salt, DCID)`, the client's secret
//! `HKDF-Expand-Label(initial_secret, "client in")`, then its AEAD key, IV and header-protection
//! key (`quic key`, `quic iv`, `quic hp`; QUIC v2, RFC 9369: `quicv2 ...` and its own salt).
//! Header protection (§5.4): AES-ECB of a 16-byte sample 4 bytes after the packet number's
//! start masks the first byte's low bits and the packet number. The payload is AES-128-GCM with
//! the header as associated data and `iv XOR packet number` as nonce (§5.3).
//!
//! A server's Initial is protected with keys of the *client's* first DCID, which a single
//! packet does not carry: only packets the client keys open (the AEAD tag says so) are read.

use super::read;
use aes_gcm::aead::{Aead, Payload};
use aes_gcm::aes::Aes128;
use aes_gcm::aes::cipher::{BlockEncrypt, KeyInit, generic_array::GenericArray};
use aes_gcm::{Aes128Gcm, Nonce};
use hkdf::Hkdf;
use sha2::Sha256;

/// Salt and HKDF labels of one family of QUIC versions.
struct Family {
    salt: [u8; 20],
    key: &'static [u8],
    iv: &'static [u8],
    hp: &'static [u8],
}

/// QUIC v1 (RFC 9001 §5.2).
const V1: Family = Family {
    salt: [
        0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17, 0x9a, 0xe6, 0xa4, 0xc8, 0x0c,
        0xad, 0xcc, 0xbb, 0x7f, 0x0a,
    ],
    key: b"quic key",
    iv: b"quic iv",
    hp: b"quic hp",
};

/// Drafts 29 to 32 (draft-ietf-quic-tls-29 §5.2).
const DRAFT_29: Family = Family {
    salt: [
        0xaf, 0xbf, 0xec, 0x28, 0x99, 0x93, 0xd2, 0x4c, 0x9e, 0x97, 0x86, 0xf1, 0x9c, 0x61, 0x11,
        0xe0, 0x43, 0x90, 0xa8, 0x99,
    ],
    ..V1
};

/// QUIC v2 (RFC 9369 §3.3).
const V2: Family = Family {
    salt: [
        0x0d, 0xed, 0xe3, 0xde, 0xf7, 0x00, 0xa6, 0xdb, 0x81, 0x93, 0x81, 0xbe, 0x6e, 0x26, 0x9d,
        0xcb, 0xf9, 0xbd, 0x2e, 0xd9,
    ],
    key: b"quicv2 key",
    iv: b"quicv2 iv",
    hp: b"quicv2 hp",
};

/// The version family whose Initial keys we know.
fn family(version: u32) -> Option<&'static Family> {
    match version {
        1 => Some(&V1),
        0x6b33_43cf => Some(&V2),
        0xff00_001d..=0xff00_0020 => Some(&DRAFT_29),
        _ => None,
    }
}

/// HKDF-Expand-Label (RFC 8446 §7.1) with an empty context.
fn expand_label(prk: &Hkdf<Sha256>, label: &[u8], out: &mut [u8]) -> Option<()> {
    let mut info = Vec::with_capacity(4 + 6 + label.len());
    info.extend_from_slice(&u16::try_from(out.len()).ok()?.to_be_bytes());
    info.push(u8::try_from(6 + label.len()).ok()?);
    info.extend_from_slice(b"tls13 ");
    info.extend_from_slice(label);
    info.push(0);
    prk.expand(&info, out).ok()
}

/// A client's Initial packet protection keys.
struct Keys {
    key: [u8; 16],
    iv: [u8; 12],
    hp: [u8; 16],
}

impl Keys {
    /// The client's keys for a connection whose first Destination Connection ID is `dcid`.
    fn client(family: &Family, dcid: &[u8]) -> Option<Keys> {
        let (_, initial) = Hkdf::<Sha256>::extract(Some(&family.salt), dcid);
        let mut secret = [0u8; 32];
        expand_label(&initial, b"client in", &mut secret)?;
        let client = Hkdf::<Sha256>::from_prk(&secret).ok()?;
        let mut keys = Keys {
            key: [0; 16],
            iv: [0; 12],
            hp: [0; 16],
        };
        expand_label(&client, family.key, &mut keys.key)?;
        expand_label(&client, family.iv, &mut keys.iv)?;
        expand_label(&client, family.hp, &mut keys.hp)?;
        Some(keys)
    }
}

/// The plaintext frames of a client Initial: `packet` starts at the long header's first byte,
/// `pn_offset` is where the packet number starts (after the Length field), `length` is the
/// Length field (packet number and protected payload). `None` when the version's keys are not
/// known, the packet is cut short or the client keys do not open it.
pub fn open_client_initial(
    packet: &[u8],
    version: u32,
    dcid: &[u8],
    pn_offset: usize,
    length: usize,
) -> Option<Vec<u8>> {
    let family = family(version)?;
    let packet = packet.get(..pn_offset.checked_add(length)?)?;
    let sample = read::bytes(packet, pn_offset + 4, 16)?;
    let keys = Keys::client(family, dcid)?;
    let mut mask = GenericArray::clone_from_slice(sample);
    Aes128::new(GenericArray::from_slice(&keys.hp)).encrypt_block(&mut mask);
    let mask: [u8; 16] = mask.into();
    let first = packet.first()? ^ (mask[0] & 0x0f);
    let pn_len = usize::from(first & 0x03) + 1;
    let mut header = packet.get(..pn_offset + pn_len)?.to_vec();
    *header.first_mut()? = first;
    let mut number = 0u64;
    for (byte, m) in header.iter_mut().skip(pn_offset).zip(&mask[1..]) {
        *byte ^= m;
        number = (number << 8) | u64::from(*byte);
    }
    let mut nonce = keys.iv;
    for (n, p) in nonce[4..].iter_mut().zip(number.to_be_bytes()) {
        *n ^= p;
    }
    let cipher = Aes128Gcm::new(GenericArray::from_slice(&keys.key));
    let payload = Payload {
        msg: packet.get(pn_offset + pn_len..)?,
        aad: &header,
    };
    cipher.decrypt(Nonce::from_slice(&nonce), payload).ok()
}

/// Reads a variable-length integer (RFC 9000 §16) at `*at`, moving past it.
fn varint(b: &[u8], at: &mut usize) -> Option<u64> {
    let first = *b.get(*at)?;
    let len = 1usize << (first >> 6);
    let (_, rest) = b.get(*at..*at + len)?.split_first()?;
    *at += len;
    Some(
        rest.iter()
            .fold(u64::from(first & 0x3f), |v, &x| (v << 8) | u64::from(x)),
    )
}

/// The CRYPTO data of an Initial's frames (RFC 9000 §12.4: PADDING, PING, ACK, CRYPTO and
/// CONNECTION_CLOSE are all an Initial may hold) that is contiguous from stream offset 0, the
/// frames taken in offset order (clients split and shuffle their ClientHello). Reading stops
/// at the first frame type an Initial may not carry.
pub fn crypto_stream(plain: &[u8]) -> Vec<u8> {
    let mut pieces: Vec<(u64, &[u8])> = Vec::new();
    let mut at = 0usize;
    while let Some(kind) = varint(plain, &mut at) {
        let ok = match kind {
            0x00 | 0x01 => Some(()),
            0x02 | 0x03 => (|| {
                let _largest = varint(plain, &mut at)?;
                let _delay = varint(plain, &mut at)?;
                let ranges = varint(plain, &mut at)?;
                let _first = varint(plain, &mut at)?;
                for _ in 0..ranges.min(plain.len() as u64) {
                    varint(plain, &mut at)?;
                    varint(plain, &mut at)?;
                }
                if kind == 0x03 {
                    for _ in 0..3 {
                        varint(plain, &mut at)?;
                    }
                }
                Some(())
            })(),
            0x06 => (|| {
                let offset = varint(plain, &mut at)?;
                let len = usize::try_from(varint(plain, &mut at)?).ok()?;
                let data = plain.get(at..at.checked_add(len)?)?;
                at += len;
                pieces.push((offset, data));
                Some(())
            })(),
            0x1c | 0x1d => (|| {
                let _code = varint(plain, &mut at)?;
                if kind == 0x1c {
                    let _frame_type = varint(plain, &mut at)?;
                }
                let len = usize::try_from(varint(plain, &mut at)?).ok()?;
                at = at.checked_add(len)?;
                Some(())
            })(),
            _ => None,
        };
        if ok.is_none() {
            break;
        }
    }
    pieces.sort_by_key(|p| p.0);
    let mut stream = Vec::new();
    for (offset, data) in pieces {
        let Ok(offset) = usize::try_from(offset) else {
            break;
        };
        if offset > stream.len() {
            break;
        }
        let skip = stream.len() - offset;
        stream.extend_from_slice(data.get(skip..).unwrap_or_default());
    }
    stream
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        let s: String = s.split_whitespace().collect();
        (0..s.len() / 2)
            .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
            .collect()
    }

    /// RFC 9001 Appendix A.1: the client's keys for DCID 8394c8f03e515708.
    #[test]
    fn rfc9001_client_keys() {
        let keys = Keys::client(&V1, &hex("8394c8f03e515708")).unwrap();
        assert_eq!(keys.key.to_vec(), hex("1f369613dd76d5467730efcbe3b1a22d"));
        assert_eq!(keys.iv.to_vec(), hex("fa044b2f42a3fd3b46fb255c"));
        assert_eq!(keys.hp.to_vec(), hex("9f50449e04a0e810283a1e9933adedd2"));
    }

    /// RFC 9369 Appendix A.1: QUIC v2's client keys for the same DCID.
    #[test]
    fn rfc9369_client_keys() {
        let keys = Keys::client(&V2, &hex("8394c8f03e515708")).unwrap();
        assert_eq!(keys.key.to_vec(), hex("8b1a0bc121284290a29e0971b5cd045d"));
        assert_eq!(keys.iv.to_vec(), hex("91f73e2351d8fa91660e909f"));
        assert_eq!(keys.hp.to_vec(), hex("45b95e15235d6f45a6b19cbcb0294ba9"));
    }

    #[test]
    fn crypto_frames_are_put_in_order_and_stop_at_a_hole() {
        // PADDING, CRYPTO off 3 "def", PING, CRYPTO off 0 "abc", ACK, CRYPTO off 9 "xyz".
        let mut p = vec![0, 0x06, 3, 3];
        p.extend(b"def");
        p.extend([0x01, 0x06, 0, 3]);
        p.extend(b"abc");
        p.extend([0x02, 5, 0, 1, 0, 1, 1]);
        p.extend([0x06, 9, 3]);
        p.extend(b"xyz");
        assert_eq!(crypto_stream(&p), b"abcdef");
        // An overlap keeps the first bytes; an unknown frame type ends the reading.
        let q = [
            0x06, 0, 2, b'a', b'b', 0x06, 1, 2, b'X', b'c', 0x08, 0x06, 3, 1, b'd',
        ];
        assert_eq!(crypto_stream(&q), b"abc");
    }

    /// Protects `frames` as a client Initial of `version` with DCID `dcid` and packet number
    /// 2 (a 2-byte field), the way a client does (RFC 9001 §5.3, §5.4).
    fn seal_client_initial(version: u32, dcid: &[u8], frames: &[u8]) -> Vec<u8> {
        let keys = Keys::client(family(version).unwrap(), dcid).unwrap();
        let pn = [0u8, 2];
        let length = pn.len() + frames.len() + 16;
        let mut packet = vec![0xc1];
        if version == 0x6b33_43cf {
            packet[0] = 0xd1; // v2 numbers Initial 01
        }
        packet.extend(version.to_be_bytes());
        packet.push(dcid.len() as u8);
        packet.extend(dcid);
        packet.extend([0, 0]); // no SCID, no token
        packet.extend((0x4000 | length as u16).to_be_bytes());
        let pn_offset = packet.len();
        packet.extend(pn);
        let mut nonce = keys.iv;
        nonce[11] ^= 2;
        let cipher = Aes128Gcm::new(GenericArray::from_slice(&keys.key));
        let sealed = cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: frames,
                    aad: &packet,
                },
            )
            .unwrap();
        packet.extend(sealed);
        let mut mask = GenericArray::clone_from_slice(&packet[pn_offset + 4..pn_offset + 20]);
        Aes128::new(GenericArray::from_slice(&keys.hp)).encrypt_block(&mut mask);
        packet[0] ^= mask[0] & 0x0f;
        packet[pn_offset] ^= mask[1];
        packet[pn_offset + 1] ^= mask[2];
        packet
    }

    /// A sealed ClientHello (split in two CRYPTO frames, sent in reverse order, then padding)
    /// opens and decodes into the TLS layer after QUIC, for v1 and v2; a flipped byte fails
    /// the tag and leaves QUIC alone.
    #[test]
    fn a_sealed_client_hello_opens_into_its_tls_layer() {
        use super::super::{quic, tls};
        let hello = &tls::tests::client_hello()[5..];
        let mut frames = vec![0x06, 0x40, 40];
        let rest = hello.len() - 40;
        frames.extend([0x40 | (rest >> 8) as u8, rest as u8]);
        frames.extend(&hello[40..]);
        frames.extend([0x06, 0, 40]);
        frames.extend(&hello[..40]);
        frames.resize(1100, 0);
        let dcid = hex("0011223344556677");
        for version in [1u32, 0x6b33_43cf] {
            let packet = seal_client_initial(version, &dcid, &frames);
            let decoded = quic::decode(&packet).unwrap();
            let crate::model::Layer::Quic(q) = &decoded.layer else {
                panic!("not QUIC")
            };
            let Some(crate::model::Layer::Tls(t)) = quic::initial_handshake(q, &packet) else {
                panic!("version {version:#x}: not opened")
            };
            assert_eq!(t.sni.as_deref(), Some("example.com"));
            assert_eq!(t.handshake_type_name, Some("client_hello"));
            let mut bad = packet.clone();
            bad[200] ^= 1;
            assert!(quic::initial_handshake(q, &bad).is_none());
        }
    }

    #[test]
    fn unknown_versions_and_short_packets_are_not_opened() {
        let packet = vec![0xc0; 64];
        assert!(open_client_initial(&packet, 0x0a0a_0a0a, &[1; 8], 20, 40).is_none());
        assert!(open_client_initial(&packet, 1, &[1; 8], 20, 100).is_none());
        // Keys known, bytes there, but the tag does not verify.
        assert!(open_client_initial(&packet, 1, &[1; 8], 20, 40).is_none());
    }
}
