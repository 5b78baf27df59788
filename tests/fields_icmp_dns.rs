//! Field-level comparison of the ICMP, ICMPv6 and DNS records with Wireshark's.
//!
//! For each small capture of `../shared/captures` that has a `<file>.tshark.json` (tshark 4.0,
//! `-T json`, every field it decodes) and carries ICMP, ICMPv6 or DNS, every frame is read
//! through the library (`Extractor::open(path)?.frames()`) and, for each compared tshark field,
//! the list of its values in the frame (document order: outer layers first, then the datagram
//! quoted in an ICMP error, records in message order) must equal the list pcapkit's layers give
//! for it. tshark's JSON repeats keys (one `icmpv6.opt` object per option, ...): it is parsed
//! here into an ordered tree that keeps every duplicate.
//!
//! The captures are read in place; the test is skipped (with a message) if the folder is absent.

mod common;

use pcapkit::Extractor;
use pcapkit::model::{DnsRdata, DnsRecord, Frame, IcmpBody, Layer};
use std::path::Path;

use common::Node;
use common::SHARED_CAPTURES as CAPTURES;

impl Node {
    /// Every string value under `key`, anywhere below this node, in document order.
    fn all(&self, key: &str, out: &mut Vec<String>) {
        match self {
            Node::Object(entries) => {
                for (k, v) in entries {
                    match v {
                        Node::Text(text) if k == key => out.push(text.clone()),
                        _ => v.all(key, out),
                    }
                }
            }
            Node::List(items) => items.iter().for_each(|i| i.all(key, out)),
            _ => {}
        }
    }
}

/// tshark's per-frame `layers` objects for `name`, or `None` if the capture or its JSON is absent.
fn tshark_frames(name: &str) -> Option<Vec<Node>> {
    let path = common::shared_capture(&format!("{name}.tshark.json"))?;
    let text = std::fs::read_to_string(&path).ok()?;
    let Node::List(frames) = serde_json::from_str::<Node>(&text).expect("tshark JSON") else {
        panic!("{}: not a list", path.display());
    };
    Some(
        frames
            .into_iter()
            .map(|f| take(take(f, "_source"), "layers"))
            .collect(),
    )
}

/// Moves the value of `key` out of object `node`.
fn take(node: Node, key: &str) -> Node {
    match node {
        Node::Object(entries) => entries
            .into_iter()
            .find(|(k, _)| k == key)
            .map_or(Node::Other, |(_, v)| v),
        _ => Node::Other,
    }
}

/// Our frames of capture `name`.
fn our_frames(name: &str) -> Vec<Frame> {
    let path = Path::new(CAPTURES).join(name);
    Extractor::open(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .frames()
        .collect()
}

fn hex16(v: u16) -> String {
    format!("0x{v:04x}")
}

fn bit(b: bool) -> String {
    u8::from(b).to_string()
}

/// tshark's spelling of a DNS name (`<Root>` for the root).
fn dns_name(name: &str) -> String {
    if name == "." {
        "<Root>".to_owned()
    } else {
        name.to_owned()
    }
}

/// Our values of tshark field `key` in `frame`, in tshark's document order.
fn ours(frame: &Frame, key: &str) -> Vec<String> {
    let mut out = Vec::new();
    for layer in &frame.layers {
        match layer {
            Layer::Ipv4(ip) => match key {
                "ip.src" => out.push(ip.src.to_string()),
                "ip.dst" => out.push(ip.dst.to_string()),
                _ => {}
            },
            Layer::Udp(udp) => match key {
                "udp.srcport" => out.push(udp.src_port.to_string()),
                "udp.dstport" => out.push(udp.dst_port.to_string()),
                _ => {}
            },
            Layer::Icmp(icmp) => {
                let body = icmp.body.as_deref();
                match (key, body) {
                    ("icmp.type", _) => out.push(icmp.kind.to_string()),
                    ("icmp.code", _) => out.push(icmp.code.to_string()),
                    ("icmp.checksum", _) => out.push(hex16(icmp.checksum)),
                    ("icmp.ident", _) => out.extend(icmp.id.map(|v| v.to_string())),
                    ("icmp.seq", _) => out.extend(icmp.seq.map(|v| v.to_string())),
                    ("icmp.redir_gw", _) => out.extend(icmp.gateway.map(|v| v.to_string())),
                    ("icmp.mtu", _) => out.extend(icmp.mtu.map(|v| v.to_string())),
                    (
                        "icmp.originate_timestamp"
                        | "icmp.receive_timestamp"
                        | "icmp.transmit_timestamp",
                        Some(IcmpBody::Timestamp {
                            originate_timestamp,
                            receive_timestamp,
                            transmit_timestamp,
                        }),
                    ) => out.push(
                        match key {
                            "icmp.originate_timestamp" => originate_timestamp,
                            "icmp.receive_timestamp" => receive_timestamp,
                            _ => transmit_timestamp,
                        }
                        .to_string(),
                    ),
                    ("icmp.address_mask", Some(IcmpBody::AddressMask { address_mask })) => {
                        out.push(address_mask.to_string())
                    }
                    (
                        "icmp.num_addrs"
                        | "icmp.addr_entry_size"
                        | "icmp.lifetime"
                        | "icmp.router_address"
                        | "icmp.pref_level",
                        Some(IcmpBody::RouterAdvertisementV4 {
                            num_addrs,
                            addr_entry_size,
                            lifetime,
                            entries,
                        }),
                    ) => match key {
                        "icmp.num_addrs" => out.push(num_addrs.to_string()),
                        "icmp.addr_entry_size" => out.push(addr_entry_size.to_string()),
                        "icmp.lifetime" => out.push(lifetime.to_string()),
                        "icmp.router_address" => {
                            out.extend(entries.iter().map(|e| e.address.to_string()))
                        }
                        _ => out.extend(entries.iter().map(|e| e.preference.to_string())),
                    },
                    _ => {}
                }
            }
            Layer::Icmpv6(icmp) => icmpv6(icmp, key, &mut out),
            Layer::Dns(dns) => match key {
                "dns.id" => out.push(hex16(dns.id)),
                "dns.flags.response" => out.push(bit(dns.qr)),
                "dns.flags.opcode" => out.push(dns.opcode.to_string()),
                "dns.flags.authoritative" if dns.qr => out.push(bit(dns.aa)),
                "dns.flags.truncated" => out.push(bit(dns.tc)),
                "dns.flags.recdesired" => out.push(bit(dns.rd)),
                "dns.flags.recavail" if dns.qr => out.push(bit(dns.ra)),
                "dns.flags.z" => out.push(bit(dns.z)),
                "dns.flags.authenticated" if dns.qr || dns.ad => out.push(bit(dns.ad)),
                "dns.flags.checkdisable" => out.push(bit(dns.cd)),
                "dns.flags.rcode" if dns.qr => out.push(dns.rcode.to_string()),
                "dns.count.queries" => out.push(dns.qdcount.to_string()),
                "dns.count.answers" => out.push(dns.ancount.to_string()),
                "dns.count.auth_rr" => out.push(dns.nscount.to_string()),
                "dns.count.add_rr" => out.push(dns.arcount.to_string()),
                "dns.qry.name" => out.extend(dns.questions.iter().map(|q| dns_name(&q.name))),
                "dns.qry.type" => out.extend(dns.questions.iter().map(|q| q.kind.to_string())),
                "dns.qry.class" => out.extend(dns.questions.iter().map(|q| hex16(q.class))),
                "dns.qry.qu" => out.extend(
                    dns.questions
                        .iter()
                        .filter_map(|q| q.unicast_response.map(bit)),
                ),
                _ => {
                    let records = || {
                        dns.answers
                            .iter()
                            .chain(&dns.authorities)
                            .chain(&dns.additionals)
                    };
                    // mDNS: our records carry the cache-flush bit (OPT excepted).
                    let mdns = records().any(|r| r.cache_flush.is_some())
                        || dns.questions.iter().any(|q| q.unicast_response.is_some());
                    out.extend(records().filter_map(|r| record_field(r, key, mdns)));
                }
            },
            _ => {}
        }
    }
    out
}

/// Our value of tshark's record field `key` for record `r` (of an mDNS message if `mdns`), if
/// it has one.
fn record_field(r: &DnsRecord, key: &str, mdns: bool) -> Option<String> {
    Some(match (key, &r.rdata) {
        // tshark shows an SRV owner name as service, protocol and name fields instead.
        ("dns.resp.name", _) if r.kind != 33 => dns_name(&r.name),
        ("dns.resp.type", _) => r.kind.to_string(),
        ("dns.resp.class", _) if r.kind != 41 => hex16(r.class),
        ("dns.resp.ttl", _) if r.kind != 41 => r.ttl.to_string(),
        ("dns.resp.len", _) => r.rdlength.to_string(),
        ("dns.a", DnsRdata::A { address }) => address.to_string(),
        ("dns.aaaa", DnsRdata::Aaaa { address }) => address.to_string(),
        ("dns.cname", DnsRdata::Cname { cname }) => cname.clone(),
        ("dns.ns", DnsRdata::Ns { ns }) => ns.clone(),
        ("dns.ptr.domain_name", DnsRdata::Ptr { ptr }) => ptr.clone(),
        ("dns.mx.preference", DnsRdata::Mx { preference, .. }) => preference.to_string(),
        ("dns.mx.mail_exchange", DnsRdata::Mx { exchange, .. }) => exchange.clone(),
        // tshark reads an mDNS OPT record's cache-flush bit from its class (the UDP size).
        ("dns.resp.cache_flush", _) if mdns && r.kind == 41 => bit(r.class & 0x8000 != 0),
        ("dns.resp.cache_flush", _) => bit(r.cache_flush?),
        ("dns.soa.mname", DnsRdata::Soa { mname, .. }) => mname.clone(),
        ("dns.soa.rname", DnsRdata::Soa { rname, .. }) => rname.clone(),
        ("dns.soa.serial_number", DnsRdata::Soa { serial, .. }) => serial.to_string(),
        ("dns.soa.refresh_interval", DnsRdata::Soa { refresh, .. }) => refresh.to_string(),
        ("dns.soa.retry_interval", DnsRdata::Soa { retry, .. }) => retry.to_string(),
        ("dns.soa.expire_limit", DnsRdata::Soa { expire, .. }) => expire.to_string(),
        ("dns.soa.minimum_ttl", DnsRdata::Soa { minimum, .. }) => minimum.to_string(),
        ("dns.srv.priority", DnsRdata::Srv { priority, .. }) => priority.to_string(),
        ("dns.srv.weight", DnsRdata::Srv { weight, .. }) => weight.to_string(),
        ("dns.srv.port", DnsRdata::Srv { port, .. }) => port.to_string(),
        ("dns.srv.target", DnsRdata::Srv { target, .. }) => target.clone(),
        // tshark 4.0 prints it in hex in mDNS (read as a class there), in decimal otherwise.
        (
            "dns.rr.udp_payload_size",
            DnsRdata::Opt {
                udp_payload_size: size,
                ..
            },
        ) if mdns => hex16(*size),
        (
            "dns.rr.udp_payload_size",
            DnsRdata::Opt {
                udp_payload_size: size,
                ..
            },
        ) => size.to_string(),
        ("dns.resp.ext_rcode", DnsRdata::Opt { ext_rcode, .. }) => format!("0x{ext_rcode:02x}"),
        ("dns.resp.edns0_version", DnsRdata::Opt { version, .. }) => version.to_string(),
        ("dns.resp.z.do", DnsRdata::Opt { do_flag, .. }) => bit(*do_flag),
        _ => return None,
    })
}

/// Our values of an ICMPv6 field.
fn icmpv6(icmp: &pcapkit::model::Icmp, key: &str, out: &mut Vec<String>) {
    let body = icmp.body.as_deref();
    match (key, body) {
        ("icmpv6.type", _) => out.push(icmp.kind.to_string()),
        ("icmpv6.code", _) => out.push(icmp.code.to_string()),
        ("icmpv6.checksum", _) => out.push(hex16(icmp.checksum)),
        ("icmpv6.echo.identifier", _) => out.extend(icmp.id.map(|v| format!("0x{v:04x}"))),
        ("icmpv6.echo.sequence_number", _) => out.extend(icmp.seq.map(|v| v.to_string())),
        ("icmpv6.nd.ns.target_address" | "icmpv6.nd.na.target_address", _) => {
            out.extend(icmp.target.map(|v| v.to_string()))
        }
        (_, Some(IcmpBody::RouterAdvertisement { .. }))
            if key.starts_with("icmpv6.nd.ra.") || key.starts_with("icmpv6.opt") =>
        {
            let Some(IcmpBody::RouterAdvertisement {
                cur_hop_limit,
                managed,
                other,
                home_agent,
                preference,
                proxy,
                router_lifetime,
                reachable_time,
                retrans_timer,
                options,
            }) = body
            else {
                unreachable!()
            };
            match key {
                "icmpv6.nd.ra.cur_hop_limit" => out.push(cur_hop_limit.to_string()),
                "icmpv6.nd.ra.flag.m" => out.push(bit(*managed)),
                "icmpv6.nd.ra.flag.o" => out.push(bit(*other)),
                "icmpv6.nd.ra.flag.h" => out.push(bit(*home_agent)),
                "icmpv6.nd.ra.flag.prf" => out.push(preference.to_string()),
                "icmpv6.nd.ra.flag.p" => out.push(bit(*proxy)),
                "icmpv6.nd.ra.router_lifetime" => out.push(router_lifetime.to_string()),
                "icmpv6.nd.ra.reachable_time" => out.push(reachable_time.to_string()),
                "icmpv6.nd.ra.retrans_timer" => out.push(retrans_timer.to_string()),
                _ => ndp_options(options, key, out),
            }
        }
        (_, Some(IcmpBody::Ndp { options }))
        | (_, Some(IcmpBody::NeighborAdvertisement { options, .. }))
        | (_, Some(IcmpBody::Redirect { options, .. })) => ndp_options(options, key, out),
        (
            _,
            Some(IcmpBody::Mld {
                max_resp_delay,
                multicast_address,
            }),
        ) => match key {
            "icmpv6.mld.maximum_response_delay" => out.push(max_resp_delay.to_string()),
            "icmpv6.mld.multicast_address" => out.push(multicast_address.to_string()),
            _ => {}
        },
        (
            _,
            Some(IcmpBody::Mldv2Query {
                max_resp_code,
                multicast_address,
                suppress,
                qrv,
                qqic,
                num_sources,
                sources,
            }),
        ) => match key {
            "icmpv6.mld.maximum_response_code" => out.push(max_resp_code.to_string()),
            "icmpv6.mld.multicast_address" => out.push(multicast_address.to_string()),
            "icmpv6.mld.flag.s" => out.push(bit(*suppress)),
            "icmpv6.mld.flag.qrv" => out.push(qrv.to_string()),
            "icmpv6.mld.qqi" => out.push(qqic.to_string()),
            "icmpv6.mld.nb_sources" => out.push(num_sources.to_string()),
            "icmpv6.mld.source_address" => out.extend(sources.iter().map(|s| s.to_string())),
            _ => {}
        },
        (
            _,
            Some(IcmpBody::Mldv2Report {
                num_records,
                records,
            }),
        ) => match key {
            "icmpv6.mldr.nb_mcast_records" => out.push(num_records.to_string()),
            "icmpv6.mldr.mar.record_type" => {
                out.extend(records.iter().map(|r| r.record_type.to_string()))
            }
            "icmpv6.mldr.mar.aux_data_len" => {
                out.extend(records.iter().map(|r| r.aux_data_len.to_string()))
            }
            "icmpv6.mldr.mar.nb_sources" => {
                out.extend(records.iter().map(|r| r.num_sources.to_string()))
            }
            "icmpv6.mldr.mar.multicast_address" => {
                out.extend(records.iter().map(|r| r.multicast_address.to_string()))
            }
            _ => {}
        },
        _ => {}
    }
}

/// Our values of an NDP option field.
fn ndp_options(options: &[pcapkit::model::NdpOption], key: &str, out: &mut Vec<String>) {
    for o in options {
        match key {
            "icmpv6.opt.type" => out.push(o.kind.to_string()),
            "icmpv6.opt.length" => out.push((o.len / 8).to_string()),
            "icmpv6.opt.linkaddr" | "icmpv6.opt.src_linkaddr" if o.kind == 1 => {
                out.extend(o.link_addr.as_ref().map(|a| a.to_string()))
            }
            "icmpv6.opt.linkaddr" | "icmpv6.opt.target_linkaddr" if o.kind == 2 => {
                out.extend(o.link_addr.as_ref().map(|a| a.to_string()))
            }
            "icmpv6.opt.prefix.length" => out.extend(o.prefix_len.map(|v| v.to_string())),
            "icmpv6.opt.prefix.flag.l" => out.extend(o.on_link.map(bit)),
            "icmpv6.opt.prefix.flag.a" => out.extend(o.autonomous.map(bit)),
            "icmpv6.opt.prefix.valid_lifetime" => {
                out.extend(o.valid_lifetime.map(|v| v.to_string()))
            }
            "icmpv6.opt.prefix.preferred_lifetime" => {
                out.extend(o.preferred_lifetime.map(|v| v.to_string()))
            }
            "icmpv6.opt.prefix" => out.extend(o.prefix.map(|v| v.to_string())),
            "icmpv6.opt.mtu" => out.extend(o.mtu.map(|v| v.to_string())),
            _ => {}
        }
    }
}

/// The compared fields, by protocol.
const ICMP_FIELDS: &[&str] = &[
    "ip.src",
    "ip.dst",
    "udp.srcport",
    "udp.dstport",
    "icmp.type",
    "icmp.code",
    "icmp.checksum",
    "icmp.ident",
    "icmp.seq",
    "icmp.redir_gw",
    "icmp.mtu",
    "icmp.originate_timestamp",
    "icmp.receive_timestamp",
    "icmp.transmit_timestamp",
    "icmp.address_mask",
    "icmp.num_addrs",
    "icmp.addr_entry_size",
    "icmp.lifetime",
    "icmp.router_address",
    "icmp.pref_level",
];

const ICMPV6_FIELDS: &[&str] = &[
    "icmpv6.type",
    "icmpv6.code",
    "icmpv6.checksum",
    "icmpv6.nd.ra.cur_hop_limit",
    "icmpv6.nd.ra.flag.m",
    "icmpv6.nd.ra.flag.o",
    "icmpv6.nd.ra.flag.h",
    "icmpv6.nd.ra.flag.prf",
    "icmpv6.nd.ra.flag.p",
    "icmpv6.nd.ra.router_lifetime",
    "icmpv6.nd.ra.reachable_time",
    "icmpv6.nd.ra.retrans_timer",
    "icmpv6.opt.type",
    "icmpv6.opt.length",
    "icmpv6.opt.linkaddr",
    "icmpv6.opt.src_linkaddr",
    "icmpv6.opt.prefix.length",
    "icmpv6.opt.prefix.flag.l",
    "icmpv6.opt.prefix.flag.a",
    "icmpv6.opt.prefix.valid_lifetime",
    "icmpv6.opt.prefix.preferred_lifetime",
    "icmpv6.opt.prefix",
    "icmpv6.opt.mtu",
    "icmpv6.mld.maximum_response_code",
    "icmpv6.mld.multicast_address",
    "icmpv6.mld.flag.s",
    "icmpv6.mld.flag.qrv",
    "icmpv6.mld.qqi",
    "icmpv6.mld.nb_sources",
    "icmpv6.mldr.nb_mcast_records",
    "icmpv6.mldr.mar.record_type",
    "icmpv6.mldr.mar.aux_data_len",
    "icmpv6.mldr.mar.nb_sources",
    "icmpv6.mldr.mar.multicast_address",
];

const DNS_FIELDS: &[&str] = &[
    "dns.id",
    "dns.flags.response",
    "dns.flags.opcode",
    "dns.flags.authoritative",
    "dns.flags.truncated",
    "dns.flags.recdesired",
    "dns.flags.recavail",
    "dns.flags.z",
    "dns.flags.authenticated",
    "dns.flags.checkdisable",
    "dns.flags.rcode",
    "dns.count.queries",
    "dns.count.answers",
    "dns.count.auth_rr",
    "dns.count.add_rr",
    "dns.qry.name",
    "dns.qry.type",
    "dns.qry.class",
    "dns.resp.name",
    "dns.resp.type",
    "dns.resp.class",
    "dns.resp.ttl",
    "dns.resp.len",
    "dns.a",
    "dns.aaaa",
    "dns.cname",
    "dns.ns",
    "dns.ptr.domain_name",
    "dns.mx.preference",
    "dns.mx.mail_exchange",
    "dns.qry.qu",
    "dns.resp.cache_flush",
    "dns.soa.mname",
    "dns.soa.rname",
    "dns.soa.serial_number",
    "dns.soa.refresh_interval",
    "dns.soa.retry_interval",
    "dns.soa.expire_limit",
    "dns.soa.minimum_ttl",
    "dns.srv.priority",
    "dns.srv.weight",
    "dns.srv.port",
    "dns.srv.target",
    "dns.rr.udp_payload_size",
    "dns.resp.ext_rcode",
    "dns.resp.edns0_version",
    "dns.resp.z.do",
];

/// Compares `fields` on every frame of `name`; returns how many values were compared (so a
/// test can check it compared something), or `None` when the capture is absent.
fn compare(name: &str, fields: &[&str]) -> Option<usize> {
    let theirs = tshark_frames(name)?;
    let ours_frames = our_frames(name);
    assert_eq!(ours_frames.len(), theirs.len(), "{name}: frame count");
    let mut compared = 0;
    let mut diffs = Vec::new();
    for (frame, layers) in ours_frames.iter().zip(&theirs) {
        for key in fields {
            let mut expected = Vec::new();
            layers.all(key, &mut expected);
            let got = ours(frame, key);
            if got != expected {
                diffs.push(format!(
                    "{name} frame {} {key}: ours {got:?} vs tshark {expected:?}",
                    frame.number
                ));
            }
            compared += expected.len();
        }
    }
    assert!(
        diffs.is_empty(),
        "{} differences:\n{}",
        diffs.len(),
        diffs.join("\n")
    );
    println!("{name}: {compared} values equal to Wireshark's");
    Some(compared)
}

#[test]
fn icmp_fields_match_wireshark() {
    if let Some(n) = compare("pcpp__IcmpPackets.pcapng", ICMP_FIELDS) {
        // 15 frames: type/code/checksum alone are 3 × 22 ICMP headers (quoted ones included).
        assert!(n >= 100, "only {n} values compared");
    }
}

#[test]
fn icmpv6_fields_match_wireshark() {
    if let Some(n) = compare("tcpdump__icmpv6.pcap", ICMPV6_FIELDS) {
        assert!(n >= 60, "only {n} values compared");
    }
}

#[test]
fn dns_fields_match_wireshark() {
    let files = [
        ("dpkt__http.pcap", 40),
        ("dpkt__truncated_dns.pcap", 50),
        ("dpkt__truncated_dns_2.pcap", 40),
        ("tcpdump__LINKTYPE_IPV4.pcap", 12),
        ("tcpdump__nflog.pcap", 60),
        ("tcpdump__time_2038_overflow.pcap", 15),
        ("pcpp__null_loopback.pcap", 15),
        ("pcpp__ip6_fragments.pcap", 15),
    ];
    for (name, at_least) in files {
        if let Some(n) = compare(name, DNS_FIELDS) {
            assert!(n >= at_least, "{name}: only {n} values compared");
        }
    }
}

/// The truncated DNS captures (snap length 200): the DNS layer keeps the records Wireshark
/// shows, and the frame's error says where the message was cut.
#[test]
fn truncated_dns_keeps_records_and_reports_the_cut() {
    if common::shared_capture("dpkt__truncated_dns.pcap").is_none() {
        return;
    }
    let frames = our_frames("dpkt__truncated_dns.pcap");
    let frame = &frames[0];
    assert_eq!(frame.protocol_chain(), "Ethernet:IPv4:UDP:DNS");
    let Some(Layer::Dns(dns)) = frame.layers.last() else {
        panic!("{:?}", frame.layers)
    };
    assert_eq!((dns.ancount, dns.answers.len()), (9, 6));
    let error = frame.error.as_ref().expect("an error");
    assert_eq!(error.layer, pcapkit::model::ProtoId::Dns);
    assert_eq!(error.offset, 42);
    assert_eq!(
        error.reason,
        "DNS answer 7 of 9 at byte 148: cut short (158 of 196 bytes present)"
    );
}
