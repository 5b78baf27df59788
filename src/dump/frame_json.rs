//! Frames as compact JSON, fast: exactly the bytes `serde_json::to_writer` writes for a
//! [`Frame`], without serde_json's per-key escape scan and per-field dispatch.
//!
//! The model's `Serialize` impls (`src/model`) remain the definition of the schema; this module
//! is an optimisation of them for the layers most frames carry. Keys are written as static,
//! pre-escaped fragments (`,"src_port":`); integers, MAC and IP addresses, Ethertypes, TCP
//! flags, timestamps and the protocol chain are formatted straight into the line buffer, short
//! values built in registers and stored with one fixed-size write (see "values" below); `u64`
//! frame numbers go through `itoa`.
//!
//! What is not special-cased goes through serde_json, value by value, so the output stays
//! identical: whole layers of the kinds listed as fallbacks below (and any layer kind added to
//! the model later), link types without a plain name, the frame's `error`, and any string
//! (from the packet or from a table) that has a character JSON escapes.
//!
//! | written here | through serde_json |
//! |---|---|
//! | frame header, `protocols`; Ethernet, VLAN, ARP, RARP, IPv4 (options too), IPv6, HOPOPT, IPv6-Opts, IPv6-Route, IPv6-Frag, TCP (every option kind), UDP, ICMP and ICMPv6 (without type-specific `body` fields), HTTP, DNS (every record kind of today), TLS, NTP, Raw; strings with nothing to escape | SLL, SLL2, Null, NFLOG and every other layer kind, present or future; DNS with a record kind added later; ICMP/ICMPv6 with a `body`; strings that need escaping; `error`; `USER*`/`LINKTYPE_*` link types |
//!
//! The tests (`frame_json/tests.rs`) compare these bytes with serde_json's on every frame of
//! every capture in `../shared/captures`, on the synthetic sample conversation and on frames
//! built to reach every option kind and optional field; they also fail when a layer gains a
//! field that no test frame sets. A field added to a layer written here must be added here.

use crate::model::{
    AnyAddr, ArpAddrFormat, Dns, DnsRdata, DnsRecord, EtherType, Frame, HexBytes, Http, HttpKind,
    Icmp, IpOption, Layer, MacAddr, Ntp, ProtoId, TcpFlags, TcpOption, Timestamp, Tls,
};
use serde::Serialize;
use std::net::{Ipv4Addr, Ipv6Addr};

/// The protocols whose layers this module writes itself (the others go through serde_json).
#[cfg(test)]
pub(super) const FAST_PATH: &[ProtoId] = {
    use ProtoId as P;
    &[
        P::Ethernet,
        P::Vlan,
        P::Arp,
        P::Rarp,
        P::Ipv4,
        P::Ipv6,
        P::HopOpt,
        P::Ipv6Opts,
        P::Ipv6Route,
        P::Ipv6Frag,
        P::Tcp,
        P::Udp,
        P::Icmp,
        P::Icmpv6,
        P::Http,
        P::Dns,
        P::Tls,
        P::Ntp,
        P::Raw,
    ]
};

/// Appends `frame` as compact JSON to `out` (staged in `stage`): the same bytes as
/// `serde_json::to_writer(out, frame)`.
///
/// Fails only where serde_json would (a fallback value's `Serialize` failing); `out` may then
/// hold a partial object, as with serde_json.
pub(crate) fn write_frame_json(
    out: &mut Vec<u8>,
    stage: &mut Stage,
    frame: &Frame,
) -> serde_json::Result<()> {
    Out::with_day(out, stage, |out, day| write_frame(out, frame, day))
}

/// [`write_frame_json`] and a newline, staged in `window` (the free part of the report
/// writer's buffer, at least [`STAGE`] bytes) in front of `spill` (empty): the line is `spill`'s
/// bytes, then the returned number of bytes at the start of `window` (see [`Out::window`]). A
/// shorter window is not used: the line then goes to `spill` whole, staged in `stage`.
pub(crate) fn write_frame_line(
    window: &mut [u8],
    spill: &mut Vec<u8>,
    stage: &mut Stage,
    frame: &Frame,
) -> serde_json::Result<usize> {
    write_line(window, spill, stage, |out, day| {
        write_frame(out, frame, day)
    })
}

/// What `write` writes and a newline, in `window` in front of `spill` as [`write_frame_line`]
/// describes.
fn write_line(
    window: &mut [u8],
    spill: &mut Vec<u8>,
    stage: &mut Stage,
    write: impl FnOnce(&mut Out<'_>, &mut Day) -> serde_json::Result<()>,
) -> serde_json::Result<usize> {
    let line = |out: &mut Out<'_>, day: &mut Day| {
        write(out, day)?;
        out.push(b'\n');
        Ok(())
    };
    match window.first_chunk_mut::<STAGE>() {
        Some(window) => {
            let (result, len) = Out::window(window, spill, |out| line(out, stage.day()));
            result.map(|()| len)
        }
        None => Out::with_day(spill, stage, line).map(|()| 0),
    }
}

/// [`write_frame_json`] into an [`Out`].
fn write_frame(out: &mut Out<'_>, frame: &Frame, day: &mut Day) -> serde_json::Result<()> {
    lit(out, b"{\"number\":");
    int(out, frame.number);
    if let Some(ts) = frame.timestamp {
        time_fields(out, ts, day);
    }
    key_num(out, b",\"len\":", frame.len);
    key_num(out, b",\"cap_len\":", frame.cap_len);
    lit(out, b",\"link_type\":");
    match frame.link_type.name() {
        Some("USER") | None => serde(out, &frame.link_type)?,
        Some("ETHERNET") => lit(out, b"\"ETHERNET\""),
        // Link type names are ASCII literals without characters JSON escapes (tested).
        Some(name) => {
            out.push(b'"');
            lit(out, name.as_bytes());
            out.push(b'"');
        }
    }
    if let Some(interface) = frame.interface {
        key_num(out, b",\"interface\":", interface);
    }
    chain_layers_error(out, frame)?;
    out.push(b'}');
    Ok(())
}

/// `,"protocols":"A:B","layers":[...]` and, if dissection stopped early, `,"error":{...}`:
/// how a frame's object ends, and a reassembly record's.
#[inline(always)]
fn chain_layers_error(out: &mut Out<'_>, frame: &Frame) -> serde_json::Result<()> {
    out.local(|out| {
        lit(out, b",\"protocols\":\"");
        for (i, layer) in frame.layers.iter().enumerate() {
            if i > 0 {
                out.push(b':');
            }
            // Protocol names are ASCII literals without characters JSON escapes (tested).
            proto_name(out, layer.proto());
        }
        lit(out, b"\",\"layers\":[");
    });
    for (i, layer) in frame.layers.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_layer(out, layer)?;
    }
    out.push(b']');
    if let Some(error) = &frame.error {
        lit(out, b",\"error\":");
        serde(out, error)?;
    }
    Ok(())
}

/// One layer object, `{"protocol":"<name>",...}`.
fn write_layer(out: &mut Out<'_>, layer: &Layer) -> serde_json::Result<()> {
    let (header_len, payload_len) = match layer {
        Layer::Ethernet(e) => out.local(|out| {
            ethernet_head(out, &e.src, &e.dst);
            ether_type(out, e.ether_type);
            (e.header_len, e.payload_len)
        }),
        Layer::Vlan(v) => out.local(|out| {
            key_num(out, b"{\"protocol\":\"VLAN\",\"tci\":", v.tci);
            key_byte(out, b",\"pcp\":", v.pcp);
            lit(out, b",\"dei\":");
            boolean(out, v.dei);
            key_num(out, b",\"vid\":", v.vid);
            lit(out, b",\"type\":");
            ether_type(out, v.ether_type);
            (v.header_len, v.payload_len)
        }),
        Layer::Arp(a) | Layer::Rarp(a) => {
            lit(
                out,
                if matches!(layer, Layer::Arp(_)) {
                    b"{\"protocol\":\"ARP\",\"htype\":"
                } else {
                    b"{\"protocol\":\"RARP\",\"htype\":"
                },
            );
            num(out, a.htype);
            lit(out, b",\"ptype\":");
            ether_type(out, a.ptype);
            key_byte(out, b",\"hlen\":", a.hlen);
            key_byte(out, b",\"plen\":", a.plen);
            key_num(out, b",\"opcode\":", a.opcode);
            let (hardware, protocol) = (a.hardware_format(), a.protocol_format());
            lit(out, b",\"sha\":");
            arp_addr(out, &a.sha, hardware);
            lit(out, b",\"spa\":");
            arp_addr(out, &a.spa, protocol);
            lit(out, b",\"tha\":");
            arp_addr(out, &a.tha, hardware);
            lit(out, b",\"tpa\":");
            arp_addr(out, &a.tpa, protocol);
            (a.header_len, a.payload_len)
        }
        Layer::Ipv4(ip) => {
            out.local(|out| {
                key_byte(out, b"{\"protocol\":\"IPv4\",\"version\":", ip.version);
                key_byte(out, b",\"ihl\":", ip.ihl);
                key_byte(out, b",\"tos\":", ip.tos);
                key_num(out, b",\"total_len\":", ip.total_len);
                key_num(out, b",\"id\":", ip.id);
                let (flags, len) = DF_MF[usize::from(ip.df) << 1 | usize::from(ip.mf)];
                fixed(out, flags, len);
                key_num(out, b",\"frag_offset\":", ip.frag_offset);
                key_byte(out, b",\"ttl\":", ip.ttl);
                key_byte(out, b",\"proto\":", ip.proto);
                key_num(out, b",\"checksum\":", ip.checksum);
                lit(out, b",\"src\":");
                ipv4(out, ip.src);
                lit(out, b",\"dst\":");
                ipv4(out, ip.dst);
                // No options (nearly every header): the empty list in this run, no call.
                if ip.options.is_empty() {
                    lit(out, b",\"options\":[]");
                } else {
                    lit(out, b",\"options\":");
                }
            });
            if !ip.options.is_empty() {
                ip_options(out, &ip.options)?;
            }
            (ip.header_len, ip.payload_len)
        }
        Layer::Ipv6(ip) => {
            key_byte(out, b"{\"protocol\":\"IPv6\",\"version\":", ip.version);
            key_byte(out, b",\"traffic_class\":", ip.traffic_class);
            key_num(out, b",\"flow_label\":", ip.flow_label);
            key_num(out, b",\"payload_len\":", ip.payload_len);
            key_byte(out, b",\"next_header\":", ip.next_header);
            key_byte(out, b",\"hop_limit\":", ip.hop_limit);
            lit(out, b",\"src\":");
            ipv6(out, &ip.src);
            lit(out, b",\"dst\":");
            ipv6(out, &ip.dst);
            key_num(out, b",\"header_len\":", ip.header_len);
            // IPv6 puts `payload_len` before `header_len`: the object ends here.
            out.push(b'}');
            return Ok(());
        }
        Layer::HopOpt(x) | Layer::Ipv6Opts(x) => {
            lit(
                out,
                if matches!(layer, Layer::HopOpt(_)) {
                    b"{\"protocol\":\"HOPOPT\",\"next_header\":"
                } else {
                    b"{\"protocol\":\"IPv6-Opts\",\"next_header\":"
                },
            );
            byte(out, x.next_header);
            lit(out, b",\"options\":");
            ip_options(out, &x.options)?;
            (x.header_len, x.payload_len)
        }
        Layer::Ipv6Route(r) => {
            key_byte(
                out,
                b"{\"protocol\":\"IPv6-Route\",\"next_header\":",
                r.next_header,
            );
            key_byte(out, b",\"routing_type\":", r.routing_type);
            key_byte(out, b",\"segments_left\":", r.segments_left);
            lit(out, b",\"addresses\":[");
            for (i, a) in r.addresses.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                ipv6(out, a);
            }
            out.push(b']');
            (r.header_len, r.payload_len)
        }
        Layer::Ipv6Frag(f) => {
            key_byte(
                out,
                b"{\"protocol\":\"IPv6-Frag\",\"next_header\":",
                f.next_header,
            );
            key_num(out, b",\"frag_offset\":", f.frag_offset);
            lit(out, b",\"mf\":");
            boolean(out, f.mf);
            key_num(out, b",\"id\":", f.id);
            (f.header_len, f.payload_len)
        }
        Layer::Tcp(t) => {
            out.local(|out| {
                key_num(out, b"{\"protocol\":\"TCP\",\"src_port\":", t.src_port);
                key_num(out, b",\"dst_port\":", t.dst_port);
                key_num(out, b",\"seq\":", t.seq);
                key_num(out, b",\"ack\":", t.ack);
                key_byte(out, b",\"data_offset\":", t.data_offset);
                lit(out, b",\"flags\":");
                tcp_flags(out, t.flags);
                key_num(out, b",\"window\":", t.window);
                key_num(out, b",\"checksum\":", t.checksum);
                key_num(out, b",\"urgent\":", t.urgent);
                lit(out, b",\"options\":[");
            });
            tcp_options(out, &t.options)?;
            out.push(b']');
            (t.header_len, t.payload_len)
        }
        Layer::Udp(u) => out.local(|out| {
            key_num(out, b"{\"protocol\":\"UDP\",\"src_port\":", u.src_port);
            key_num(out, b",\"dst_port\":", u.dst_port);
            key_num(out, b",\"len\":", u.len);
            key_num(out, b",\"checksum\":", u.checksum);
            (u.header_len, u.payload_len)
        }),
        // A message with type-specific fields (`body`, flattened by serde) goes through
        // serde_json whole: rare, and its fields vary by type.
        Layer::Icmp(i) | Layer::Icmpv6(i) if i.body.is_some() => return serde(out, layer),
        Layer::Icmp(i) => icmp(out, b"{\"protocol\":\"ICMP\",\"type\":", i)?,
        Layer::Icmpv6(i) => icmp(out, b"{\"protocol\":\"ICMPv6\",\"type\":", i)?,
        Layer::Http(h) => http(out, h)?,
        Layer::Tls(t) => tls(out, t)?,
        Layer::Ntp(n) => ntp(out, n),
        Layer::Dns(d) => {
            let start = out.position();
            match dns(out, d)? {
                Some(lengths) => lengths,
                // A record kind this module does not know: the whole layer through serde_json.
                None => {
                    out.truncate(start);
                    return serde(out, layer);
                }
            }
        }
        Layer::Raw(r) => {
            lit(out, b"{\"protocol\":\"Raw\"");
            (r.header_len, r.payload_len)
        }
        other => return serde(out, other),
    };
    out.local(|out| {
        key_num(out, b",\"header_len\":", header_len);
        key_num(out, b",\"payload_len\":", payload_len);
        out.push(b'}');
    });
    Ok(())
}

/// An ICMP or ICMPv6 record after `head` (which ends with the `type` key); returns the lengths.
fn icmp(out: &mut Out<'_>, head: &[u8], i: &Icmp) -> serde_json::Result<(u32, u32)> {
    lit(out, head);
    byte(out, i.kind);
    key_byte(out, b",\"code\":", i.code);
    key_num(out, b",\"checksum\":", i.checksum);
    if let Some(name) = i.type_name {
        lit(out, b",\"type_name\":");
        string(out, name)?;
    }
    if let Some(id) = i.id {
        key_num(out, b",\"id\":", id);
    }
    if let Some(seq) = i.seq {
        key_num(out, b",\"seq\":", seq);
    }
    if let Some(mtu) = i.mtu {
        key_num(out, b",\"mtu\":", mtu);
    }
    if let Some(gateway) = i.gateway {
        lit(out, b",\"gateway\":");
        ipv4(out, gateway);
    }
    if let Some(target) = &i.target {
        lit(out, b",\"target\":");
        ipv6(out, target);
    }
    Ok((i.header_len, i.payload_len))
}

/// An HTTP head; strings from the packet are escaped by serde_json. Returns the lengths.
fn http(out: &mut Out<'_>, h: &Http) -> serde_json::Result<(u32, u32)> {
    lit(
        out,
        match h.kind {
            HttpKind::Request => b"{\"protocol\":\"HTTP\",\"kind\":\"request\"",
            HttpKind::Response => b"{\"protocol\":\"HTTP\",\"kind\":\"response\"",
        },
    );
    if let Some(method) = &h.method {
        lit(out, b",\"method\":");
        string(out, method)?;
    }
    if let Some(target) = &h.target {
        lit(out, b",\"target\":");
        string(out, target)?;
    }
    lit(out, b",\"version\":");
    string(out, &h.version)?;
    if let Some(status) = h.status {
        key_num(out, b",\"status\":", status);
    }
    if let Some(reason) = &h.reason {
        lit(out, b",\"reason\":");
        string(out, reason)?;
    }
    lit(out, b",\"headers\":[");
    for (i, (name, value)) in h.headers.iter().enumerate() {
        lit(out, if i > 0 { b",[" } else { b"[" });
        string(out, name)?;
        out.push(b',');
        string(out, value)?;
        out.push(b']');
    }
    key_num(out, b"],\"body_len\":", h.body_len);
    Ok((h.header_len, h.payload_len))
}

/// TLS record headers and hello fields. Returns the lengths.
fn tls(out: &mut Out<'_>, t: &Tls) -> serde_json::Result<(u32, u32)> {
    lit(out, b"{\"protocol\":\"TLS\",\"records\":[");
    for (i, r) in t.records.iter().enumerate() {
        lit(
            out,
            if i > 0 {
                b",{\"content_type\":"
            } else {
                b"{\"content_type\":"
            },
        );
        byte(out, r.content_type);
        lit(out, b",\"content_type_name\":");
        string(out, r.content_type_name)?;
        key_num(out, b",\"version\":", r.version);
        key_num(out, b",\"len\":", r.len);
        out.push(b'}');
    }
    out.push(b']');
    if let Some(kind) = t.handshake_type {
        key_byte(out, b",\"handshake_type\":", kind);
    }
    if let Some(name) = t.handshake_type_name {
        lit(out, b",\"handshake_type_name\":");
        string(out, name)?;
    }
    if let Some(version) = t.hello_version {
        key_num(out, b",\"hello_version\":", version);
    }
    if let Some(suites) = &t.cipher_suites {
        lit(out, b",\"cipher_suites\":");
        u16_list(out, suites);
    }
    if let Some(suite) = t.cipher_suite {
        key_num(out, b",\"cipher_suite\":", suite);
    }
    if let Some(sni) = &t.sni {
        lit(out, b",\"sni\":");
        string(out, sni)?;
    }
    if let Some(alpn) = &t.alpn {
        lit(out, b",\"alpn\":[");
        for (i, name) in alpn.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            string(out, name)?;
        }
        out.push(b']');
    }
    if let Some(versions) = &t.supported_versions {
        lit(out, b",\"supported_versions\":");
        u16_list(out, versions);
    }
    Ok((t.header_len, t.payload_len))
}

/// An NTP header (the optional fields are those of modes 1 to 5). Returns the lengths.
fn ntp(out: &mut Out<'_>, n: &Ntp) -> (u32, u32) {
    key_byte(out, b"{\"protocol\":\"NTP\",\"leap\":", n.leap);
    key_byte(out, b",\"version\":", n.version);
    key_byte(out, b",\"mode\":", n.mode);
    if let Some(stratum) = n.stratum {
        key_byte(out, b",\"stratum\":", stratum);
    }
    for (key, value) in [
        (b",\"poll\":" as &[u8], n.poll),
        (b",\"precision\":", n.precision),
    ] {
        if let Some(value) = value {
            lit(out, key);
            lit(out, itoa::Buffer::new().format(value).as_bytes());
        }
    }
    for (key, value) in [
        (b",\"root_delay\":" as &[u8], n.root_delay),
        (b",\"root_dispersion\":", n.root_dispersion),
        (b",\"ref_id\":", n.ref_id),
    ] {
        if let Some(value) = value {
            lit(out, key);
            num(out, value);
        }
    }
    for (key, value) in [
        (b",\"ref_ts\":" as &[u8], n.ref_ts),
        (b",\"orig_ts\":", n.orig_ts),
        (b",\"recv_ts\":", n.recv_ts),
        (b",\"xmit_ts\":", n.xmit_ts),
    ] {
        if let Some(value) = value {
            lit(out, key);
            int(out, value);
        }
    }
    (n.header_len, n.payload_len)
}

/// `[a,b,...]` of 16-bit numbers.
fn u16_list(out: &mut Out<'_>, values: &[u16]) {
    out.push(b'[');
    for (i, &value) in values.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        num(out, value);
    }
    out.push(b']');
}

/// A DNS message; `None` (with a partial object in `out`) if a record's data is of a kind
/// written only by serde_json. Returns the lengths.
fn dns(out: &mut Out<'_>, d: &Dns) -> serde_json::Result<Option<(u32, u32)>> {
    // The header's fixed fields in registers, keys of constant length (no copy calls).
    out.local(|out| {
        lit(out, b"{\"protocol\":\"DNS\"");
        if let Some(len) = d.tcp_len {
            key_num(out, b",\"tcp_len\":", len);
        }
        key_num(out, b",\"id\":", d.id);
        lit(out, b",\"qr\":");
        boolean(out, d.qr);
        key_byte(out, b",\"opcode\":", d.opcode);
    });
    if let Some(name) = d.opcode_name {
        lit(out, b",\"opcode_name\":");
        table_name(out, name);
    }
    out.local(|out| {
        key_bool(out, b",\"aa\":", d.aa);
        key_bool(out, b",\"tc\":", d.tc);
        key_bool(out, b",\"rd\":", d.rd);
        key_bool(out, b",\"ra\":", d.ra);
        key_bool(out, b",\"z\":", d.z);
        key_bool(out, b",\"ad\":", d.ad);
        key_bool(out, b",\"cd\":", d.cd);
        key_byte(out, b",\"rcode\":", d.rcode);
    });
    if let Some(name) = d.rcode_name {
        lit(out, b",\"rcode_name\":");
        table_name(out, name);
    }
    out.local(|out| {
        key_num(out, b",\"qdcount\":", d.qdcount);
        key_num(out, b",\"ancount\":", d.ancount);
        key_num(out, b",\"nscount\":", d.nscount);
        key_num(out, b",\"arcount\":", d.arcount);
        lit(out, b",\"questions\":[");
    });
    for (i, q) in d.questions.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        lit(out, b"{\"name\":");
        string(out, &q.name)?;
        key_num(out, b",\"type\":", q.kind);
        if let Some(name) = q.type_name {
            lit(out, b",\"type_name\":");
            table_name(out, name);
        }
        key_num(out, b",\"class\":", q.class);
        if let Some(qu) = q.unicast_response {
            lit(out, b",\"unicast_response\":");
            boolean(out, qu);
        }
        out.push(b'}');
    }
    // Keys of constant length each (no copy calls).
    if !dns_records(out, b"],\"answers\":[", &d.answers)?
        || !dns_records(out, b"],\"authorities\":[", &d.authorities)?
        || !dns_records(out, b"],\"additionals\":[", &d.additionals)?
    {
        return Ok(None);
    }
    out.push(b']');
    Ok(Some((d.header_len, d.payload_len)))
}

/// `key` and the records of one section, comma-separated; `false` as [`dns_record`].
#[inline(always)]
fn dns_records<const N: usize>(
    out: &mut Out<'_>,
    key: &[u8; N],
    records: &[DnsRecord],
) -> serde_json::Result<bool> {
    lit(out, key);
    for (i, r) in records.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        if !dns_record(out, r)? {
            return Ok(false);
        }
    }
    Ok(true)
}

/// One DNS resource record, its data flattened into it; `false` for data of a kind this module
/// does not know (a variant added to `DnsRdata` later).
fn dns_record(out: &mut Out<'_>, r: &DnsRecord) -> serde_json::Result<bool> {
    lit(out, b"{\"name\":");
    string(out, &r.name)?;
    key_num(out, b",\"type\":", r.kind);
    if let Some(name) = r.type_name {
        lit(out, b",\"type_name\":");
        table_name(out, name);
    }
    key_num(out, b",\"class\":", r.class);
    if let Some(flush) = r.cache_flush {
        lit(out, b",\"cache_flush\":");
        boolean(out, flush);
    }
    key_num(out, b",\"ttl\":", r.ttl);
    key_num(out, b",\"rdlength\":", r.rdlength);
    #[allow(unreachable_patterns)]
    match &r.rdata {
        DnsRdata::A { address } => {
            lit(out, b",\"address\":");
            ipv4(out, *address);
        }
        DnsRdata::Aaaa { address } => {
            lit(out, b",\"address\":");
            ipv6(out, address);
        }
        DnsRdata::Cname { cname } => {
            lit(out, b",\"cname\":");
            string(out, cname)?;
        }
        DnsRdata::Ns { ns } => {
            lit(out, b",\"ns\":");
            string(out, ns)?;
        }
        DnsRdata::Ptr { ptr } => {
            lit(out, b",\"ptr\":");
            string(out, ptr)?;
        }
        DnsRdata::Mx {
            preference,
            exchange,
        } => {
            key_num(out, b",\"preference\":", *preference);
            lit(out, b",\"exchange\":");
            string(out, exchange)?;
        }
        DnsRdata::Txt { txt } => {
            lit(out, b",\"txt\":[");
            for (i, t) in txt.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                string(out, t)?;
            }
            out.push(b']');
        }
        DnsRdata::Soa {
            mname,
            rname,
            serial,
            refresh,
            retry,
            expire,
            minimum,
        } => {
            lit(out, b",\"mname\":");
            string(out, mname)?;
            lit(out, b",\"rname\":");
            string(out, rname)?;
            key_num(out, b",\"serial\":", *serial);
            key_num(out, b",\"refresh\":", *refresh);
            key_num(out, b",\"retry\":", *retry);
            key_num(out, b",\"expire\":", *expire);
            key_num(out, b",\"minimum\":", *minimum);
        }
        DnsRdata::Srv {
            priority,
            weight,
            port,
            target,
        } => {
            key_num(out, b",\"priority\":", *priority);
            key_num(out, b",\"weight\":", *weight);
            key_num(out, b",\"port\":", *port);
            lit(out, b",\"target\":");
            string(out, target)?;
        }
        DnsRdata::Opt {
            udp_payload_size,
            ext_rcode,
            version,
            do_flag,
            options,
        } => {
            key_num(out, b",\"udp_payload_size\":", *udp_payload_size);
            key_byte(out, b",\"ext_rcode\":", *ext_rcode);
            key_byte(out, b",\"version\":", *version);
            lit(out, b",\"do_flag\":");
            boolean(out, *do_flag);
            lit(out, b",\"options\":");
            hex(out, options);
        }
        DnsRdata::Other { rdata } => {
            lit(out, b",\"rdata\":");
            hex(out, rdata);
        }
        _ => return Ok(false),
    }
    out.push(b'}');
    Ok(true)
}

/// TCP options, comma-separated: runs of the fixed-size kinds ([`common_tcp_option`]) in a
/// [`Out::local`], the others ([`tcp_option`]) between them.
fn tcp_options(out: &mut Out<'_>, options: &[TcpOption]) -> serde_json::Result<()> {
    let mut next = 0;
    while next < options.len() {
        next = out.local(|out| {
            let mut i = next;
            while let Some(option) = options.get(i) {
                if i > 0 {
                    out.push(b',');
                }
                if !common_tcp_option(out, option) {
                    // The comma is written; `tcp_option` writes the option.
                    break;
                }
                i += 1;
            }
            i
        });
        if let Some(option) = options.get(next) {
            tcp_option(out, option)?;
            next += 1;
        }
    }
    Ok(())
}

/// One TCP option object of a fixed-size kind; `false` (nothing written) for the others.
#[inline(always)]
fn common_tcp_option(out: &mut Out<'_>, option: &TcpOption) -> bool {
    match option {
        TcpOption::EndOfList => lit(out, b"{\"kind\":\"EOL\"}"),
        TcpOption::Nop => lit(out, b"{\"kind\":\"NOP\"}"),
        TcpOption::SackPermitted => lit(out, b"{\"kind\":\"SACK_PERM\"}"),
        TcpOption::Mss { value } => {
            key_num(out, b"{\"kind\":\"MSS\",\"value\":", *value);
            out.push(b'}');
        }
        TcpOption::WindowScale { shift } => {
            key_byte(out, b"{\"kind\":\"WS\",\"shift\":", *shift);
            out.push(b'}');
        }
        TcpOption::Timestamps { tsval, tsecr } => {
            key_num(out, b"{\"kind\":\"TS\",\"tsval\":", *tsval);
            key_num(out, b",\"tsecr\":", *tsecr);
            out.push(b'}');
        }
        TcpOption::Sack { .. } | TcpOption::Other { .. } => return false,
    }
    true
}

/// One TCP option object of a kind [`common_tcp_option`] does not write (or of one it does).
fn tcp_option(out: &mut Out<'_>, option: &TcpOption) -> serde_json::Result<()> {
    match option {
        TcpOption::Sack { blocks } => {
            lit(out, b"{\"kind\":\"SACK\",\"blocks\":[");
            for (i, (left, right)) in blocks.iter().enumerate() {
                lit(out, if i > 0 { b",[" } else { b"[" });
                num(out, *left);
                out.push(b',');
                num(out, *right);
                out.push(b']');
            }
            lit(out, b"]}");
        }
        TcpOption::Other { number, name, data } => {
            key_byte(out, b"{\"kind\":\"Other\",\"number\":", *number);
            lit(out, b",\"name\":");
            string(out, name)?;
            lit(out, b",\"data\":");
            hex(out, data);
            out.push(b'}');
        }
        common => {
            common_tcp_option(out, common);
        }
    }
    Ok(())
}

/// A list of IPv4 / IPv6 options, `[{"type":..,"name":..,"len":..,"data":".."},...]`.
fn ip_options(out: &mut Out<'_>, options: &[IpOption]) -> serde_json::Result<()> {
    out.push(b'[');
    for (i, option) in options.iter().enumerate() {
        lit(out, if i > 0 { b",{\"type\":" } else { b"{\"type\":" });
        byte(out, option.kind);
        lit(out, b",\"name\":");
        string(out, option.name)?;
        key_num(out, b",\"len\":", option.len);
        lit(out, b",\"data\":");
        hex(out, &option.data);
        out.push(b'}');
    }
    out.push(b']');
    Ok(())
}

// --- values ---------------------------------------------------------------------------------
//
// Short values are built in registers and appended with one fixed-size store of which only
// their length is kept (`Out::fixed`): no `memcpy` call for a few bytes, and no reload of
// bytes just stored one by one into a stack buffer (which defeats store-to-load forwarding).

#[inline(always)]
fn lit(out: &mut Out<'_>, bytes: &[u8]) {
    out.extend(bytes);
}

/// Appends the first `len` (≤ `N`) bytes of `bytes`: all `N` are stored, the excess dropped.
#[inline(always)]
fn fixed<const N: usize>(out: &mut Out<'_>, bytes: [u8; N], len: usize) {
    out.fixed(bytes, len);
}

/// A `u64` in decimal: as [`num`] below 2³², else through `itoa`.
#[inline(always)]
fn int(out: &mut Out<'_>, n: u64) {
    match u32::try_from(n) {
        Ok(n) => num(out, n),
        Err(_) => lit(out, itoa::Buffer::new().format(n).as_bytes()),
    }
}

/// The eight decimal digits of `n` (< 10⁸), zero-padded, as ASCII in memory order when stored
/// little-endian (most significant digit in the low byte). SWAR: the two 4-digit halves, then
/// four 2-digit quarters, then eight digits, each split by multiply-and-shift in parallel lanes.
#[inline(always)]
fn ascii8(n: u32) -> u64 {
    let n = u64::from(n);
    let x = (n / 10_000) | ((n % 10_000) << 32);
    let hundreds = ((x * 10_486) >> 20) & 0x0000_007f_0000_007f;
    let x = hundreds | ((x - hundreds * 100) << 16);
    let tens = ((x * 103) >> 10) & 0x000f_000f_000f_000f;
    let x = tens | ((x - tens * 10) << 8);
    x | 0x3030_3030_3030_3030
}

/// For each bit length `i + 1` of a `u32`: its digit count `d` in the high half, less the
/// first power of ten in that range (if any), so that adding `n` carries into the high half
/// exactly when `n` has `d + 1` digits.
static DIGITS_BY_LOG2: [u64; 32] = {
    let mut table = [0u64; 32];
    let mut i = 0;
    while i < 32 {
        let low = 1u64 << i;
        let (mut digits, mut power) = (1u64, 10u64);
        while power <= low {
            digits += 1;
            power *= 10;
        }
        table[i] = if power > u32::MAX as u64 {
            digits << 32
        } else {
            ((digits + 1) << 32) - power
        };
        i += 1;
    }
    table
};

/// The number of decimal digits of `n`: a bit scan, a table load and an add (no division
/// or comparison chain).
#[inline(always)]
fn decimal_len(n: u32) -> usize {
    let log2 = 31 - (n | 1).leading_zeros();
    ((u64::from(n) + DIGITS_BY_LOG2[log2 as usize]) >> 32) as usize
}

/// A `u32` (or narrower) in decimal: below 1000 (most lengths and small fields) from a table,
/// 4 and 5 digits (ports, ids, checksums) by [`digits_4_5`], else by [`ascii8`].
#[inline(always)]
fn num(out: &mut Out<'_>, n: impl Into<u32>) {
    let n = n.into();
    match short_decimal(n) {
        Some((text, len)) => fixed(out, text.to_le_bytes(), len),
        None => {
            byte(out, (n / 100_000_000) as u8);
            lit(out, &ascii8(n % 100_000_000).to_le_bytes());
        }
    }
}

/// The decimal digits of `n` below 10⁸ as ASCII in memory order when stored little-endian, and
/// their count ([`num`]); `None` from 10⁸ on.
#[inline(always)]
fn short_decimal(n: u32) -> Option<(u64, usize)> {
    if let Some(&entry) = DECIMAL.get(n as usize) {
        Some((u64::from(entry), (entry >> 24) as usize))
    } else if n < 100_000 {
        Some(digits_4_5(n))
    } else if n < 100_000_000 {
        let len = decimal_len(n);
        Some((ascii8(n) >> (8 * (8 - len)), len))
    } else {
        None
    }
}

/// The longest key [`key_num`] and [`key_byte`] take.
const MAX_KEY: usize = 48;

/// `key` (a constant) and a `u32` (or narrower) in decimal: [`lit`] then [`num`], with one
/// check for room and one length update for both (most of a frame's fields are such pairs).
#[inline(always)]
fn key_num<const K: usize>(out: &mut Out<'_>, key: &[u8; K], n: impl Into<u32>) {
    let n = n.into();
    match short_decimal(n) {
        Some((text, len)) => key_text(out, key, text, len),
        None => {
            lit(out, key);
            num(out, n);
        }
    }
}

/// `key` (a constant) and a `u8` in decimal, as [`key_num`].
#[inline(always)]
fn key_byte<const K: usize>(out: &mut Out<'_>, key: &[u8; K], n: u8) {
    let entry = DECIMAL[usize::from(n)];
    key_text(out, key, u64::from(entry), (entry >> 24) as usize);
}

/// `key` then the first `len` (≤ 8) bytes of `text` (little-endian), in one fixed-size store
/// of each.
#[inline(always)]
fn key_text<const K: usize>(out: &mut Out<'_>, key: &[u8; K], text: u64, len: usize) {
    const { assert!(K <= MAX_KEY) };
    let room = out.room::<{ MAX_KEY + 8 }>();
    room[..K].copy_from_slice(key);
    room[K..K + 8].copy_from_slice(&text.to_le_bytes());
    out.advance(K + len);
}

/// The decimal digits of `1000 <= n < 100_000` as ASCII in memory order when stored
/// little-endian, and their count: the first digit and a [`QUADS`] entry, shifted by one byte
/// for a 4-digit `n` (no branch on the digit count, no SWAR split).
#[inline(always)]
fn digits_4_5(n: u32) -> (u64, usize) {
    let first = n / 10_000;
    let rest = n - first * 10_000;
    let text = u64::from(b'0' as u32 + first) | u64::from(QUADS[rest as usize]) << 8;
    let short = usize::from(n < 10_000);
    (text >> (8 * short), 5 - short)
}

/// "0000" to "9999" as little-endian ASCII (memory order when stored), for [`digits_4_5`]:
/// one load instead of two [`PAIRS`] loads and their division.
static QUADS: [u32; 10_000] = {
    let mut table = [0u32; 10_000];
    let mut n = 0;
    while n < 10_000 {
        let (high, low) = (PAIRS[n / 100] as u32, PAIRS[n % 100] as u32);
        table[n] = high | (low << 16);
        n += 1;
    }
    table
};

/// Decimal text of every number below 1000: up to three ASCII digits in the low bytes (memory
/// order when stored little-endian), the digit count in the high byte.
static DECIMAL: [u32; 1000] = {
    let mut table = [0u32; 1000];
    let mut n = 0;
    while n < 1000 {
        let (h, t, o) = (n as u32 / 100, n as u32 / 10 % 10, n as u32 % 10);
        table[n] = if n >= 100 {
            (3 << 24) | ((b'0' as u32 + o) << 16) | ((b'0' as u32 + t) << 8) | (b'0' as u32 + h)
        } else if n >= 10 {
            (2 << 24) | ((b'0' as u32 + o) << 8) | (b'0' as u32 + t)
        } else {
            (1 << 24) | (b'0' as u32 + o)
        };
        n += 1;
    }
    table
};

/// A `u8` in decimal, from [`DECIMAL`] (its digit count byte is stored too, not kept).
#[inline(always)]
fn byte(out: &mut Out<'_>, n: u8) {
    let entry = DECIMAL[usize::from(n)];
    fixed(out, entry.to_le_bytes(), (entry >> 24) as usize);
}

/// `key` (of constant length: one fixed-size store) and a boolean.
#[inline(always)]
fn key_bool<const N: usize>(out: &mut Out<'_>, key: &[u8; N], b: bool) {
    lit(out, key);
    boolean(out, b);
}

/// IPv4's `,"df":…,"mf":…` for each (`df`, `mf`) as `df << 1 | mf`: text and length, for one
/// fixed-size store.
static DF_MF: [([u8; 24], usize); 4] = {
    let texts: [&[u8]; 4] = [
        b",\"df\":false,\"mf\":false",
        b",\"df\":false,\"mf\":true",
        b",\"df\":true,\"mf\":false",
        b",\"df\":true,\"mf\":true",
    ];
    let mut table = [([0u8; 24], 0); 4];
    let mut i = 0;
    while i < 4 {
        let mut k = 0;
        while k < texts[i].len() {
            table[i].0[k] = texts[i][k];
            k += 1;
        }
        table[i].1 = texts[i].len();
        i += 1;
    }
    table
};

#[inline(always)]
fn boolean(out: &mut Out<'_>, b: bool) {
    lit(out, if b { b"true" } else { b"false" });
}

/// Every protocol's name (`ProtoId::name`) packed into a `u128`, and its length; names longer
/// than 16 bytes (none yet) have length 0 and are copied from the `&str`.
static PROTO_NAMES: [(u128, usize); ProtoId::ALL.len()] = {
    let mut table = [(0u128, 0usize); ProtoId::ALL.len()];
    let mut i = 0;
    while i < ProtoId::ALL.len() {
        let name = ProtoId::ALL[i].name().as_bytes();
        if name.len() <= 16 {
            let mut packed = 0u128;
            let mut k = 0;
            while k < name.len() {
                packed |= (name[k] as u128) << (8 * k);
                k += 1;
            }
            table[i] = (packed, name.len());
        }
        i += 1;
    }
    table
};

/// A protocol's name, unquoted (protocol names need no escaping: tested).
#[inline(always)]
fn proto_name(out: &mut Out<'_>, proto: ProtoId) {
    match PROTO_NAMES.get(proto as usize) {
        Some(&(packed, len)) if len > 0 => fixed(out, packed.to_le_bytes(), len),
        _ => lit(out, proto.name().as_bytes()),
    }
}

/// "00" to "99" as little-endian ASCII pairs.
static PAIRS: [u16; 100] = {
    let mut table = [0u16; 100];
    let mut n = 0;
    while n < 100 {
        table[n] = (((b'0' + (n % 10) as u8) as u16) << 8) | (b'0' + (n / 10) as u8) as u16;
        n += 1;
    }
    table
};

/// `,"time":"<RFC 3339>","time_epoch":"<secs.nanos>"`, as `Timestamp`'s `write_rfc3339` and
/// `write_epoch` (which it calls for times before 1970 or from the year 10000), written in
/// place in `out`; the date comes from `day` when the frame is of the same day as the last.
fn time_fields(out: &mut Out<'_>, ts: Timestamp, day: &mut Day) {
    const PREFIX: &[u8; 55] = b",\"time\":\"YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ\",\"time_epoch\":\"";
    const ROOM: usize = 80;
    const TEMPLATE: [u8; ROOM] = {
        let mut t = [0u8; ROOM];
        let mut i = 0;
        while i < PREFIX.len() {
            t[i] = PREFIX[i];
            i += 1;
        }
        t
    };
    const DATE: usize = 9;
    const NANOS: usize = DATE + 20;
    const SECS: usize = PREFIX.len();
    // 253402300800 is 10000-01-01T00:00:00Z: the epoch seconds have at most 12 digits.
    let Ok(secs @ 0..253_402_300_800) = u64::try_from(ts.secs) else {
        lit(out, b",\"time\":\"");
        lit(out, ts.write_rfc3339(&mut [0; 40]).as_bytes());
        lit(out, b"\",\"time_epoch\":\"");
        lit(out, ts.write_epoch(&mut [0; 40]).as_bytes());
        out.push(b'"');
        return;
    };
    let days = secs / 86_400;
    if day.days != days {
        let (year, month, date) = civil_from_days(days as u32);
        for (at, value) in [(0, year / 100), (2, year % 100), (5, month), (8, date)] {
            day.text[at..at + 2].copy_from_slice(&PAIRS[value as usize % 100].to_le_bytes());
        }
        day.days = days;
    }
    let buf = out.room::<ROOM>();
    buf.copy_from_slice(&TEMPLATE);
    buf[DATE..DATE + 10].copy_from_slice(&day.text);
    let of_day = (secs % 86_400) as u32;
    for (at, value) in [
        (DATE + 11, of_day / 3600),
        (DATE + 14, of_day / 60 % 60),
        (DATE + 17, of_day % 60),
    ] {
        buf[at..at + 2].copy_from_slice(&PAIRS[value as usize % 100].to_le_bytes());
    }
    // `Timestamp` prints the low nine digits of `nanos`.
    let nanos = ts.nanos % 1_000_000_000;
    let (nanos_head, nanos_tail) = (
        b'0' + (nanos / 100_000_000) as u8,
        ascii8(nanos % 100_000_000),
    );
    buf[NANOS] = nanos_head;
    buf[NANOS + 1..NANOS + 9].copy_from_slice(&nanos_tail.to_le_bytes());
    let (high, low) = ((secs / 100_000_000) as u32, (secs % 100_000_000) as u32);
    let end = if high > 0 {
        let len = decimal_len(high);
        buf[SECS..SECS + 8].copy_from_slice(&(ascii8(high) >> (8 * (8 - len))).to_le_bytes());
        buf[SECS + len..SECS + len + 8].copy_from_slice(&ascii8(low).to_le_bytes());
        SECS + len + 8
    } else {
        let len = decimal_len(low);
        buf[SECS..SECS + 8].copy_from_slice(&(ascii8(low) >> (8 * (8 - len))).to_le_bytes());
        SECS + len
    };
    buf[end] = b'.';
    buf[end + 1] = nanos_head;
    buf[end + 2..end + 10].copy_from_slice(&nanos_tail.to_le_bytes());
    buf[end + 10] = b'"';
    out.advance(end + 11);
}

/// Days since 1970-01-01 (≥ 0) to (year, month, day), as `Timestamp` computes them.
fn civil_from_days(days: u32) -> (u32, u32, u32) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + u32::from(month <= 2), month, day)
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Every byte as two lowercase hex digits (little-endian: the high nibble's digit first).
static HEX_PAIRS: [u16; 256] = {
    let mut table = [0u16; 256];
    let mut n = 0;
    while n < 256 {
        table[n] = ((HEX[n & 0xf] as u16) << 8) | HEX[n >> 4] as u16;
        n += 1;
    }
    table
};

#[inline(always)]
fn hex_pair(b: u8) -> u16 {
    HEX_PAIRS[usize::from(b)]
}

/// `"aa:bb:cc:dd:ee:ff"`, as `MacAddr`'s `Serialize`.
#[inline(always)]
fn mac(out: &mut Out<'_>, m: &MacAddr) {
    fixed(out, mac_text(m), MAC_TEXT);
}

/// Length of a quoted MAC address, `"aa:bb:cc:dd:ee:ff"`.
const MAC_TEXT: usize = 19;

/// An Ethernet record up to its `type` value, `{"protocol":"Ethernet","src":"…","dst":"…","type":`:
/// fixed-length parts, so one check for room and one length update for all five.
#[inline(always)]
fn ethernet_head(out: &mut Out<'_>, src: &MacAddr, dst: &MacAddr) {
    const SRC: &[u8] = b"{\"protocol\":\"Ethernet\",\"src\":";
    const DST: &[u8] = b",\"dst\":";
    const TYPE: &[u8] = b",\"type\":";
    const AT_DST: usize = SRC.len() + MAC_TEXT;
    const AT_TYPE: usize = AT_DST + DST.len() + MAC_TEXT;
    const LEN: usize = AT_TYPE + TYPE.len();
    let buf = out.room::<LEN>();
    buf[..SRC.len()].copy_from_slice(SRC);
    buf[SRC.len()..AT_DST].copy_from_slice(&mac_text(src));
    buf[AT_DST..AT_DST + DST.len()].copy_from_slice(DST);
    buf[AT_DST + DST.len()..AT_TYPE].copy_from_slice(&mac_text(dst));
    buf[AT_TYPE..LEN].copy_from_slice(TYPE);
    out.advance(LEN);
}

/// [`mac`]'s text.
#[inline(always)]
fn mac_text(m: &MacAddr) -> [u8; MAC_TEXT] {
    let [b0, b1, b2, b3, b4, b5] = m.0;
    let pair = |b| u128::from(hex_pair(b));
    let colons = (0x3a << 24) | (0x3a << 48) | (0x3a << 72) | (0x3a << 96) | (0x3a << 120);
    // `"aa:bb:cc:dd:ee:`, then `ff"`.
    let head = 0x22
        | colons
        | (pair(b0) << 8)
        | (pair(b1) << 32)
        | (pair(b2) << 56)
        | (pair(b3) << 80)
        | (pair(b4) << 104);
    let tail = u32::from(hex_pair(b5)) | (0x22 << 16);
    let mut text = [0; MAC_TEXT];
    text[..16].copy_from_slice(&head.to_le_bytes());
    text[16..].copy_from_slice(&tail.to_le_bytes()[..3]);
    text
}

/// `"a.b.c.d"`, as serde's `Ipv4Addr` (its `Display`).
#[inline(always)]
fn ipv4(out: &mut Out<'_>, a: Ipv4Addr) {
    out.push(b'"');
    ipv4_tail(out, a);
}

/// `a.b.c.d"`: an IPv4 address and the closing quote, each octet one 4-byte store of its
/// [`DECIMAL`] entry.
#[inline(always)]
fn ipv4_tail(out: &mut Out<'_>, a: Ipv4Addr) {
    // "255.255.255.255" and the quote are 16 bytes; the last store reaches 4 bytes past the
    // last octet's start (12 + 3 dots).
    let buf = out.room::<19>();
    let mut at = 0;
    for (i, b) in a.octets().into_iter().enumerate() {
        if i > 0 {
            buf[at] = b'.';
            at += 1;
        }
        let entry = DECIMAL[usize::from(b)];
        buf[at..at + 4].copy_from_slice(&entry.to_le_bytes());
        at += (entry >> 24) as usize;
    }
    buf[at] = b'"';
    out.advance(at + 1);
}

/// `"2001:db8::1"`, as serde's `Ipv6Addr` (its `Display`: RFC 5952, the longest run of two or
/// more zero groups, the first of equals, shortened to `::`; IPv4-mapped as `::ffff:a.b.c.d`).
fn ipv6(out: &mut Out<'_>, a: &Ipv6Addr) {
    if let Some(v4) = a.to_ipv4_mapped() {
        lit(out, b"\"::ffff:");
        ipv4_tail(out, v4);
        return;
    }
    let segments = a.segments();
    let (mut run_start, mut run_len) = (0, 0);
    let mut current = 0;
    for (i, &segment) in segments.iter().enumerate() {
        if segment == 0 {
            current += 1;
            if current > run_len {
                (run_start, run_len) = (i + 1 - current, current);
            }
        } else {
            current = 0;
        }
    }
    let mut text = [0u8; 42];
    text[0] = b'"';
    let mut len = 1;
    let mut i = 0;
    while i < 8 {
        if run_len > 1 && i == run_start {
            text[len..len + 2].copy_from_slice(b"::");
            len += 2;
            i += run_len;
            continue;
        }
        if i > 0 && !(run_len > 1 && i == run_start + run_len) {
            text[len] = b':';
            len += 1;
        }
        let segment = segments[i];
        let width = (16 - segment.leading_zeros() as usize).div_ceil(4).max(1);
        // The group's four hex digits in one store, its leading zeros shifted out (the bytes
        // stored past them are overwritten by what follows).
        let [high, low] = segment.to_be_bytes();
        let digits = u32::from(hex_pair(high)) | u32::from(hex_pair(low)) << 16;
        text[len..len + 4].copy_from_slice(&(digits >> (8 * (4 - width))).to_le_bytes());
        len += width;
        i += 1;
    }
    text[len] = b'"';
    lit(out, &text[..len + 1]);
}

/// The longest quoted text [`ether_type`] and [`tcp_flags`] write outside their common cases
/// (the longest Ethertype name, all nine TCP flags: tested).
const RARE_TEXT: usize = 64;

/// An Ethertype's name, or `"0xNNNN"`, as `EtherType`'s `Serialize`.
#[inline(always)]
fn ether_type(out: &mut Out<'_>, t: EtherType) {
    match t {
        EtherType::IPV4 => lit(out, b"\"IPv4\""),
        EtherType::IPV6 => lit(out, b"\"IPv6\""),
        EtherType::ARP => lit(out, b"\"ARP\""),
        EtherType::VLAN => lit(out, b"\"VLAN\""),
        _ => {
            let (text, len) = ether_type_text(t);
            fixed(out, text, len);
        }
    }
}

/// [`ether_type`]'s other cases, as text and length (returned, not written: the caller's `Out`
/// stays in registers).
#[cold]
#[inline(never)]
fn ether_type_text(t: EtherType) -> ([u8; RARE_TEXT], usize) {
    let mut text = [b'"'; RARE_TEXT];
    match t.name() {
        // Ethertype names are ASCII literals without characters JSON escapes, and shorter than
        // `RARE_TEXT` (tested).
        Some(name) => {
            let len = name.len().min(RARE_TEXT - 2);
            text[1..=len].copy_from_slice(&name.as_bytes()[..len]);
            (text, len + 2)
        }
        None => {
            let [hi, lo] = t.0.to_be_bytes();
            text[1..7].copy_from_slice(&[
                b'0',
                b'x',
                HEX[usize::from(hi >> 4)],
                HEX[usize::from(hi & 0xf)],
                HEX[usize::from(lo >> 4)],
                HEX[usize::from(lo & 0xf)],
            ]);
            (text, 8)
        }
    }
}

/// An ARP address in `format`, as `Arp`'s `Serialize` (`Arp::hardware_format`).
fn arp_addr(out: &mut Out<'_>, a: &AnyAddr, format: ArpAddrFormat) {
    match (format, a.0.as_slice()) {
        (ArpAddrFormat::Mac, &[a0, a1, a2, a3, a4, a5]) => {
            mac(out, &MacAddr([a0, a1, a2, a3, a4, a5]));
        }
        (ArpAddrFormat::Ipv4, &[a0, a1, a2, a3]) => ipv4(out, Ipv4Addr::new(a0, a1, a2, a3)),
        (_, bytes) => {
            out.push(b'"');
            for &b in bytes {
                lit(out, &hex_pair(b).to_le_bytes());
            }
            out.push(b'"');
        }
    }
}

/// Bytes as a quoted lowercase hex string, as `HexBytes`' `Serialize`.
fn hex(out: &mut Out<'_>, bytes: &HexBytes) {
    out.push(b'"');
    for b in &bytes.0 {
        lit(out, &hex_pair(*b).to_le_bytes());
    }
    out.push(b'"');
}

/// The comma-separated flag names, as `TcpFlags`' `Serialize` (SYN, ACK, FIN, ... order).
#[inline(always)]
fn tcp_flags(out: &mut Out<'_>, flags: TcpFlags) {
    // The common combinations in one copy each.
    match flags.0 {
        0x010 => lit(out, b"\"ACK\""),
        0x018 => lit(out, b"\"ACK,PSH\""),
        0x012 => lit(out, b"\"SYN,ACK\""),
        0x002 => lit(out, b"\"SYN\""),
        0x011 => lit(out, b"\"ACK,FIN\""),
        0x004 => lit(out, b"\"RST\""),
        0x014 => lit(out, b"\"ACK,RST\""),
        _ => {
            let (text, len) = tcp_flags_text(flags);
            fixed(out, text, len);
        }
    }
}

/// [`tcp_flags`]' other combinations, as text and length.
#[cold]
#[inline(never)]
fn tcp_flags_text(flags: TcpFlags) -> ([u8; RARE_TEXT], usize) {
    let mut text = [b'"'; RARE_TEXT];
    let mut len = 1;
    for (bit, name) in TcpFlags::NAMES {
        if flags.0 & bit != 0 {
            if len > 1 {
                text[len] = b',';
                len += 1;
            }
            text[len..len + name.len()].copy_from_slice(name.as_bytes());
            len += name.len();
        }
    }
    (text, len + 1)
}

/// A JSON string: written as is when serde_json would escape nothing in it (no `"`, `\\` or
/// control character; serde_json leaves every other character, non-ASCII included, as is),
/// else through serde_json. Names from tables and packet strings alike.
#[inline]
fn string(out: &mut Out<'_>, s: &str) -> serde_json::Result<()> {
    if !needs_escape(s.as_bytes()) {
        out.push(b'"');
        lit(out, s.as_bytes());
        out.push(b'"');
        Ok(())
    } else {
        serde(out, s)
    }
}

/// A name from one of the DNS decoder's tables (`opcode_name`, `rcode_name`, `type_name`)
/// as a JSON string: quoted, not scanned, as every entry is printable ASCII without `"` or `\\`
/// (a test checks them all).
#[inline(always)]
fn table_name(out: &mut Out<'_>, name: &'static str) {
    debug_assert!(!needs_escape(name.as_bytes()), "{name:?} needs escaping");
    out.push(b'"');
    lit(out, name.as_bytes());
    out.push(b'"');
}

/// Whether serde_json escapes a byte of `s` (a control character, `"` or `\\`), eight bytes at
/// a time: a lane below 0x20 or equal to either quote character sets its high bit in the
/// borrow-based tests below (exact as a whole: no false answer either way).
#[inline]
fn needs_escape(s: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = ONES * 0x80;
    let lane = |x: u64| {
        let quote = x ^ (ONES * u64::from(b'"'));
        let backslash = x ^ (ONES * u64::from(b'\\'));
        ((x.wrapping_sub(ONES * 0x20) & !x)
            | (quote.wrapping_sub(ONES) & !quote)
            | (backslash.wrapping_sub(ONES) & !backslash))
            & HIGH
            != 0
    };
    let Some(last) = s.last_chunk::<8>() else {
        return s.iter().any(|&b| b < 0x20 || b == b'"' || b == b'\\');
    };
    // The whole lanes, then the last eight bytes (overlapping them): no loop over a
    // remainder of unpredictable length.
    let mut chunks = s.chunks_exact(8);
    for chunk in &mut chunks {
        if let Ok(bytes) = <[u8; 8]>::try_from(chunk)
            && lane(u64::from_le_bytes(bytes))
        {
            return true;
        }
    }
    lane(u64::from_le_bytes(*last))
}

/// Any value through serde_json (the fallback).
fn serde<T: Serialize + ?Sized>(out: &mut Out<'_>, value: &T) -> serde_json::Result<()> {
    serde_json::to_writer(out.vec(), value)
}

mod out;
mod record;
use out::{Day, Out};
pub(crate) use out::{STAGE, Stage};
pub(crate) use record::{write_record_json, write_record_line};

#[cfg(test)]
mod tests;
