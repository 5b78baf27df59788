//! Choosing the protocol inside a TCP segment or UDP datagram.
//!
//! A port is only a hint: content must confirm it, so a payload is never labelled by its port
//! alone. HTTP is recognised on any port by its request or status line.
//!
//! A payload cut by the snap length before the content check's bytes are captured is the one
//! exception, as in Wireshark: the port decides when the captured bytes pass what of the check
//! they can ([`after`]), and the decoder keeps a partial layer.

use super::{dhcp, dhcpv6, dns, esp, geneve, gtp, http, l2tp, ntp, quic, sip, teredo, tls, vxlan};
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

/// The protocol after a TCP or UDP header (`transport`): [`over_tcp`] or [`over_udp`], and
/// for a payload cut short of `declared` bytes that neither confirms, the port's protocol
/// ([`over_tcp_cut`], [`over_udp_cut`]).
#[inline]
pub fn after(
    transport: ProtoId,
    src_port: u16,
    dst_port: u16,
    payload: &[u8],
    declared: usize,
) -> Option<ProtoId> {
    let tcp = transport == ProtoId::Tcp;
    let next = if tcp {
        over_tcp(src_port, dst_port, payload)
    } else {
        over_udp(src_port, dst_port, payload)
    };
    if next.is_some() || payload.len() >= declared {
        next
    } else if tcp {
        over_tcp_cut(src_port, dst_port, payload)
    } else {
        over_udp_cut(src_port, dst_port, payload)
    }
}

/// DNS on port 53 for a TCP payload cut while its length prefix and header are not whole
/// (tshark names `dns` by the port from one captured byte on), out of the common path.
#[cold]
#[inline(never)]
fn over_tcp_cut(src_port: u16, dst_port: u16, payload: &[u8]) -> Option<ProtoId> {
    let dns = (src_port == DNS_PORT || dst_port == DNS_PORT)
        && (1..TCP_PREFIX_LEN + dns::HEADER_LEN).contains(&payload.len());
    dns.then_some(ProtoId::Dns)
}

/// The length prefix of a DNS message over TCP (RFC 1035, 4.2.2).
const TCP_PREFIX_LEN: usize = 2;

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

/// The protocol of a UDP payload cut by the snap length that [`over_udp`] could not confirm
/// because the bytes its check needs are not captured: the port decides, as tshark's
/// port-registered dissectors do, when the captured bytes pass what of the check they can.
#[cold]
#[inline(never)]
fn over_udp_cut(src_port: u16, dst_port: u16, payload: &[u8]) -> Option<ProtoId> {
    let on = |port: u16| src_port == port || dst_port == port;
    let dns_port = |p: u16| p == DNS_PORT || p == MDNS_PORT || p == LLMNR_PORT;
    if on(GTP_U_PORT) && gtp::is_cut_gtp_u(payload) {
        Some(ProtoId::Gtp)
    } else if on(vxlan::PORT) && vxlan::is_cut_vxlan(payload) {
        Some(ProtoId::Vxlan)
    } else if on(geneve::PORT) && geneve::is_cut_geneve(payload) {
        Some(ProtoId::Geneve)
    } else if on(teredo::PORT) && teredo::is_cut_teredo(payload) {
        Some(ProtoId::Teredo)
    } else if (dns_port(src_port) || dns_port(dst_port))
        && (1..dns::HEADER_LEN).contains(&payload.len())
    {
        Some(ProtoId::Dns)
    } else if (on(dhcp::SERVER_PORT) || on(dhcp::CLIENT_PORT)) && dhcp::is_cut_dhcp(payload) {
        Some(ProtoId::Dhcp)
    } else if (on(dhcpv6::SERVER_PORT) || on(dhcpv6::CLIENT_PORT)) && dhcpv6::is_cut_dhcpv6(payload)
    {
        Some(ProtoId::Dhcpv6)
    } else {
        None
    }
}

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
    // ESP in UDP (IPsec NAT traversal), told from IKE by its non-zero SPI; last, as rare.
    if on(esp::UDP_ENCAP_PORT) && esp::is_udp_encapsulated(payload) {
        return Some(ProtoId::Esp);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cut_payload_is_named_by_its_port_only_while_its_check_cannot_run() {
        // DNS over UDP: 1-11 bytes of a message cut short; whole, the check decides.
        assert_eq!(
            after(ProtoId::Udp, 40000, 53, &[0x12], 40),
            Some(ProtoId::Dns)
        );
        assert_eq!(after(ProtoId::Udp, 40000, 53, &[], 40), None);
        assert_eq!(after(ProtoId::Udp, 40000, 53, &[0x12], 1), None);
        // DNS over TCP: the length prefix and header not whole.
        assert_eq!(
            after(ProtoId::Tcp, 40000, 53, &[0, 29, 0x12], 31),
            Some(ProtoId::Dns)
        );
        assert_eq!(after(ProtoId::Tcp, 40000, 80, &[0, 29, 0x12], 31), None);
        // The captured bytes still pass what of the check they can.
        assert_eq!(
            after(ProtoId::Udp, 68, 67, &[1, 1, 6], 300),
            Some(ProtoId::Dhcp)
        );
        assert_eq!(after(ProtoId::Udp, 68, 67, &[3, 1, 6], 300), None);
        assert_eq!(
            after(ProtoId::Udp, 40000, 4789, &[0x08, 0], 50),
            Some(ProtoId::Vxlan)
        );
        assert_eq!(after(ProtoId::Udp, 40000, 4789, &[0x00, 0], 50), None);
        assert_eq!(
            after(ProtoId::Udp, 40000, 6081, &[0x02, 0], 50),
            Some(ProtoId::Geneve)
        );
        assert_eq!(after(ProtoId::Udp, 40000, 6081, &[0x42, 0], 50), None);
        assert_eq!(
            after(ProtoId::Udp, 40000, 2152, &[0x30, 0xff], 50),
            Some(ProtoId::Gtp)
        );
        assert_eq!(after(ProtoId::Udp, 40000, 2152, &[0x30], 50), None);
        assert_eq!(after(ProtoId::Udp, 40000, 2152, &[0x50, 0xff], 50), None);
        assert_eq!(
            after(ProtoId::Udp, 546, 547, &[1, 0x10], 50),
            Some(ProtoId::Dhcpv6)
        );
        assert_eq!(after(ProtoId::Udp, 546, 547, &[0, 0x10], 50), None);
        assert_eq!(
            after(ProtoId::Udp, 3544, 40000, &[0x60], 50),
            Some(ProtoId::Teredo)
        );
        assert_eq!(after(ProtoId::Udp, 3544, 40000, &[0x50, 0], 50), None);
        assert_eq!(
            after(ProtoId::Udp, 3544, 40000, &[0, 0, 1, 2], 50),
            Some(ProtoId::Teredo)
        );
    }
}
