//! Choosing the protocol inside a TCP segment or UDP datagram.
//!
//! A port is only a hint: content must confirm it, so a payload is never labelled by its port
//! alone. HTTP is recognised on any port by its request or status line.

use super::{dhcp, dhcpv6, dns, geneve, gtp, http, l2tp, ntp, quic, sip, teredo, tls, vxlan};
use crate::model::ProtoId;

/// The application protocol of a TCP payload, if pcapkit recognises it.
pub fn over_tcp(src_port: u16, dst_port: u16, payload: &[u8]) -> Option<ProtoId> {
    // DNS: port 53, confirmed by a plausible header behind the 2-byte length prefix.
    if (src_port == DNS_PORT || dst_port == DNS_PORT) && dns::looks_like_dns(payload, true) {
        return Some(ProtoId::Dns);
    }
    // SIP on 5060, confirmed by its request or status line.
    if (src_port == sip::PORT || dst_port == sip::PORT) && sip::is_sip(payload) {
        return Some(ProtoId::Sip);
    }
    // TLS on the ports IANA assigns to TLS services, and on the ports of protocols that switch
    // to TLS in the middle of a connection (STARTTLS), confirmed by a record header.
    let tls_port = |port: u16| TLS_PORTS.contains(&port) || STARTTLS_PORTS.contains(&port);
    if (tls_port(src_port) || tls_port(dst_port)) && tls::is_tls(payload) {
        return Some(ProtoId::Tls);
    }
    http::is_http_start(payload).then_some(ProtoId::Http)
}

/// Whether, between these ports, [`over_tcp`] decides on TLS from the first record header
/// alone, whatever follows it: no protocol confirmed by its port (DNS, SIP) is tried first.
pub fn tls_by_header(src_port: u16, dst_port: u16) -> bool {
    [src_port, dst_port]
        .iter()
        .all(|&port| port != DNS_PORT && port != sip::PORT)
}

/// Ports of TLS services: HTTPS, SMTPS, LDAPS, DNS over TLS, FTPS, TELNETS, IMAPS, IRCS,
/// POP3S, SIPS, and the common alternative HTTPS port.
const TLS_PORTS: [u16; 12] = [443, 465, 636, 853, 989, 990, 992, 993, 994, 995, 5061, 8443];

/// Ports of protocols whose Wireshark dissector hands the connection to TLS after an upgrade
/// (STARTTLS, AUTH TLS, an SSL request): FTP, SMTP, POP3, NNTP, IMAP, LDAP, submission, MySQL,
/// XMPP (client and server), PostgreSQL. Their plaintext never starts like a record header.
const STARTTLS_PORTS: [u16; 11] = [21, 25, 110, 119, 143, 389, 587, 3306, 5222, 5269, 5432];

/// The protocol of a UDP payload, if pcapkit recognises it.
pub fn over_udp(src_port: u16, dst_port: u16, payload: &[u8]) -> Option<ProtoId> {
    // L2TP: port 1701, confirmed by version 2 or 3 in the flags word.
    if (src_port == L2TP_PORT || dst_port == L2TP_PORT) && l2tp::is_l2tp(payload) {
        return Some(ProtoId::L2tp);
    }
    // Tunnels, each confirmed by its header: GTP-U, VXLAN, GENEVE, Teredo (an IPv6 header).
    let on = |port: u16| src_port == port || dst_port == port;
    if on(GTP_U_PORT) && gtp::is_gtp_u(payload) {
        return Some(ProtoId::Gtp);
    }
    if on(vxlan::PORT) && vxlan::is_vxlan(payload) {
        return Some(ProtoId::Vxlan);
    }
    if on(geneve::PORT) && geneve::is_geneve(payload) {
        return Some(ProtoId::Geneve);
    }
    if on(teredo::PORT) && teredo::is_teredo(payload) {
        return Some(ProtoId::Teredo);
    }
    // DNS on port 53, mDNS on 5353 and LLMNR on 5355, confirmed by a plausible header and
    // first question.
    let dns_port = |p: u16| p == DNS_PORT || p == MDNS_PORT || p == LLMNR_PORT;
    if (dns_port(src_port) || dns_port(dst_port)) && dns::looks_like_dns(payload, false) {
        return Some(ProtoId::Dns);
    }
    // DHCP, DHCPv6 and NTP, each confirmed by its header.
    if (on(dhcp::SERVER_PORT) || on(dhcp::CLIENT_PORT)) && dhcp::is_dhcp(payload) {
        return Some(ProtoId::Dhcp);
    }
    if (on(dhcpv6::SERVER_PORT) || on(dhcpv6::CLIENT_PORT)) && dhcpv6::is_dhcpv6(payload) {
        return Some(ProtoId::Dhcpv6);
    }
    if on(ntp::PORT) && ntp::is_ntp(payload) {
        return Some(ProtoId::Ntp);
    }
    if on(quic::PORT) && quic::is_quic(payload) {
        return Some(ProtoId::Quic);
    }
    if on(sip::PORT) && sip::is_sip(payload) {
        return Some(ProtoId::Sip);
    }
    None
}

/// The DNS port (RFC 1035).
const DNS_PORT: u16 = 53;

/// The mDNS port (RFC 6762).
const MDNS_PORT: u16 = 5353;

/// The GTP-U port (3GPP TS 29.281).
const GTP_U_PORT: u16 = 2152;

/// The LLMNR port (RFC 4795).
const LLMNR_PORT: u16 = 5355;

/// The L2TP port (RFC 2661).
const L2TP_PORT: u16 = 1701;
