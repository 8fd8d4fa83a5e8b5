//! The iSCSI credential rules that need no state: initiator names (IQN/EUI codes), CHAP
//! (which fields, hex secrets, inbound and outbound differing), initiator address ranges and
//! masks, and the errors they share.

use std::net::IpAddr;
use std::str::FromStr;

use serde_json::Value;

use super::family;
use crate::body;
use crate::error::*;
use crate::state::{AddrMask, AddrRange, Chap};

pub(super) fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 7
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..].iter().all(u8::is_ascii_digit)
        && matches!(s[5..].parse::<u8>(), Ok(1..=12))
}

/// IQN / EUI initiator name rules.
pub fn check_initiator(name: &str) -> ApiResult<()> {
    let err = |code: &str, msg: &str| Err(ApiError::bad_request(code, msg).target("initiator"));
    let lower = name.to_ascii_lowercase();
    if lower == "default" {
        return Ok(());
    }
    if lower.starts_with("eui") {
        let Some(hex) = lower.strip_prefix("eui.") else {
            return err(
                EUI_BAD_FORMAT,
                "The EUI formatted initiator name supplied is invalid. A valid EUI format is eui.XXXXXXXXXXXXXXXX, where X is a hexadecimal digit.",
            );
        };
        if !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return err(
                EUI_BAD_FORMAT,
                "The EUI formatted initiator name supplied is invalid. A valid EUI format is eui.XXXXXXXXXXXXXXXX, where X is a hexadecimal digit.",
            );
        }
        if hex.len() != 16 {
            return err(
                EUI_BAD_LENGTH,
                "The EUI-64 identifier field must be exactly 16 hexadecimal digits.",
            );
        }
        return Ok(());
    }
    let qualifier_msg = "A non-empty qualifier is required after the prefix. An example of a valid IQN is iqn.1995-08.com.example:string.";
    if let Some(rest) = lower.strip_prefix("iqn.") {
        if rest.is_empty() {
            return err(IQN_EMPTY_QUALIFIER, qualifier_msg);
        }
        let date_ok = rest.get(..7).is_some_and(is_date);
        if !date_ok {
            return err(
                IQN_BAD_DATE,
                "The date field is invalid. A valid date field is yyyy-mm. An example of a valid IQN is iqn.1995-08.com.example:string.",
            );
        }
        let after = rest.get(7..).unwrap_or("");
        let qualifier = match after.strip_prefix('.') {
            Some(q) => q,
            None if after.is_empty() => "",
            None => {
                return err(
                    IQN_BAD_DATE,
                    "The date field is invalid. A valid date field is yyyy-mm. An example of a valid IQN is iqn.1995-08.com.example:string.",
                );
            }
        };
        if qualifier.is_empty() || qualifier.starts_with(':') {
            return err(IQN_EMPTY_QUALIFIER, qualifier_msg);
        }
        if !qualifier
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || ".:-".contains(c))
        {
            return err(
                IQN_BAD_CHARS,
                "The naming authority and string fields can contain only the characters a-z, 0-9, ., :, and -.",
            );
        }
        return Ok(());
    }
    // Looks like an IQN with a wrong prefix: "<prefix>.yyyy-mm..." or "iqn" + something.
    let wrong_prefix = lower.starts_with("iqn")
        || lower
            .split_once('.')
            .is_some_and(|(_, rest)| rest.get(..7).is_some_and(is_date));
    if wrong_prefix {
        return err(
            IQN_BAD_PREFIX,
            "The IQN prefix is invalid. The correct IQN prefix is iqn. An example of a valid IQN is iqn.1995-08.com.example:string.",
        );
    }
    err(
        INITIATOR_NAME_INVALID,
        "The initiator name supplied is invalid. The valid initiator name formats are iqn.1995-08.com.example:string or eui.0123456789abcdef.",
    )
}

/// CHAP values from a body (`None` = not given).
pub(super) struct ChapInput {
    inbound_user: Option<String>,
    inbound_password: Option<String>,
    outbound_user: Option<String>,
    outbound_password: Option<String>,
}

impl ChapInput {
    pub(super) fn from(req: &Value) -> ChapInput {
        ChapInput {
            inbound_user: body::str_at(req, "chap.inbound.user"),
            inbound_password: body::str_at(req, "chap.inbound.password"),
            outbound_user: body::str_at(req, "chap.outbound.user"),
            outbound_password: body::str_at(req, "chap.outbound.password"),
        }
    }
    pub(super) fn given(&self) -> bool {
        self.inbound_user.is_some()
            || self.inbound_password.is_some()
            || self.outbound_user.is_some()
            || self.outbound_password.is_some()
    }
    pub(super) fn overlay(self, base: Chap) -> Chap {
        Chap {
            inbound_user: self.inbound_user.or(base.inbound_user),
            inbound_password: self.inbound_password.or(base.inbound_password),
            outbound_user: self.outbound_user.or(base.outbound_user),
            outbound_password: self.outbound_password.or(base.outbound_password),
        }
    }
}

pub(super) fn check_hex(password: &str, target: &str) -> ApiResult<()> {
    if let Some(hex) = password
        .strip_prefix("0x")
        .or_else(|| password.strip_prefix("0X"))
        && (hex.is_empty() || hex.len() % 2 != 0 || !hex.chars().all(|c| c.is_ascii_hexdigit()))
    {
        return Err(ApiError::bad_request(
            CHAP_HEX_ODD,
            "The iSCSI security password must contain an even number of valid hex digits.",
        )
        .target(target));
    }
    Ok(())
}

/// The longest CHAP secret ONTAP's model allows.
pub(super) const CHAP_PASSWORD_MAX: usize = 512;

/// CHAP rules for the resulting credential.
pub(super) fn check_chap(auth: &str, chap: &Chap) -> ApiResult<()> {
    let nonempty = |s: &Option<String>| s.as_deref().is_some_and(|v| !v.is_empty());
    for (v, t) in [
        (&chap.inbound_user, "chap.inbound.user"),
        (&chap.outbound_user, "chap.outbound.user"),
    ] {
        if let Some(u) = v
            && (u.is_empty() || u.chars().count() > 128)
        {
            return Err(ApiError::invalid_value(
                t,
                "a user name of 1 to 128 characters",
            ));
        }
    }
    if auth != "chap" {
        return Ok(());
    }
    if !nonempty(&chap.inbound_user) || !nonempty(&chap.inbound_password) {
        return Err(ApiError::bad_request(
            CHAP_INBOUND_REQUIRED,
            "The inbound user and password properties are required for CHAP authentication.",
        )
        .target("chap.inbound"));
    }
    let out_user = chap.outbound_user.is_some();
    let out_pw = chap.outbound_password.is_some();
    if (out_user || out_pw) && !(nonempty(&chap.outbound_user) && nonempty(&chap.outbound_password))
    {
        return Err(ApiError::bad_request(
            CHAP_OUTBOUND_PASSWORD_REQUIRED,
            "Outbound CHAP authentication requires an outbound password.",
        )
        .target("chap.outbound.password"));
    }
    for (v, t) in [
        (&chap.inbound_password, "chap.inbound.password"),
        (&chap.outbound_password, "chap.outbound.password"),
    ] {
        if let Some(p) = v {
            // ONTAP's model: a CHAP password is 1 to 512 characters (trident
            // `rest/models/iscsi_credentials.go`, 9.16.1 bindings: Max Length 512).
            if p.chars().count() > CHAP_PASSWORD_MAX {
                return Err(ApiError::invalid_value(
                    t,
                    "a password of 1 to 512 characters",
                ));
            }
            check_hex(p, t)?;
        }
    }
    if chap.outbound_password.is_some() && chap.outbound_password == chap.inbound_password {
        return Err(ApiError::bad_request(
            CHAP_PASSWORDS_SAME,
            "The CHAP inbound and outbound passwords must be different.",
        )
        .target("chap.outbound.password"));
    }
    Ok(())
}

pub(super) fn parse_ip(s: &str, target: &str) -> ApiResult<IpAddr> {
    IpAddr::from_str(s.trim()).map_err(|_| {
        ApiError::invalid_value(target, format!("\"{s}\" is not an IPv4 or IPv6 address"))
    })
}

pub(super) fn check_family(given: Option<&str>, ip: &IpAddr, target: &str) -> ApiResult<()> {
    match given {
        Some(f) if !f.eq_ignore_ascii_case(family(ip)) => Err(ApiError::invalid_value(
            target,
            format!("family \"{f}\" does not match the address"),
        )),
        _ => Ok(()),
    }
}

/// Parses `initiator_address` (ranges and masks) with the range rules.
pub(super) fn parse_addresses(req: &Value) -> ApiResult<(Vec<AddrRange>, Vec<AddrMask>)> {
    let mut ranges = Vec::new();
    let mut masks = Vec::new();
    if let Some(Value::Array(items)) = body::at(req, "initiator_address.ranges") {
        for r in items {
            let start_s = body::str_at(r, "start")
                .ok_or_else(|| ApiError::missing_field("initiator_address.ranges.start"))?;
            let end_s = body::str_at(r, "end")
                .ok_or_else(|| ApiError::missing_field("initiator_address.ranges.end"))?;
            let start = parse_ip(&start_s, "initiator_address.ranges.start")?;
            let end = parse_ip(&end_s, "initiator_address.ranges.end")?;
            if start.is_ipv4() != end.is_ipv4() {
                return Err(ApiError::bad_request(
                    RANGE_MIXED_FAMILY,
                    "The value for property \"initiator_address.ranges.start\" does not belong to the same IP address family as the value for property \"initiator_address.ranges.end\".",
                )
                .target("initiator_address.ranges.start"));
            }
            check_family(
                body::str_at(r, "family").as_deref(),
                &start,
                "initiator_address.ranges.family",
            )?;
            if start > end {
                return Err(ApiError::bad_request(
                    RANGE_START_AFTER_END,
                    "The value for property \"initiator_address.ranges.start\" is greater than the value for property \"initiator_address.ranges.end\".",
                )
                .target("initiator_address.ranges.start"));
            }
            ranges.push(AddrRange { start, end });
        }
    }
    if let Some(Value::Array(items)) = body::at(req, "initiator_address.masks") {
        for m in items {
            let addr_s = body::str_at(m, "address")
                .ok_or_else(|| ApiError::missing_field("initiator_address.masks.address"))?;
            let address = parse_ip(&addr_s, "initiator_address.masks.address")?;
            check_family(
                body::str_at(m, "family").as_deref(),
                &address,
                "initiator_address.masks.family",
            )?;
            let netmask = match body::str_at(m, "netmask") {
                None => {
                    if address.is_ipv4() {
                        32
                    } else {
                        64
                    }
                }
                Some(n) => parse_netmask(&n, &address)?,
            };
            masks.push(AddrMask { address, netmask });
        }
    }
    Ok((ranges, masks))
}

pub(super) fn parse_netmask(n: &str, address: &IpAddr) -> ApiResult<u8> {
    let bad = || {
        ApiError::invalid_value(
            "initiator_address.masks.netmask",
            format!("\"{n}\" is not a valid netmask"),
        )
    };
    if let Ok(len) = n.trim().parse::<u8>() {
        let ok = if address.is_ipv4() {
            len <= 32
        } else {
            (1..=127).contains(&len)
        };
        return if ok { Ok(len) } else { Err(bad()) };
    }
    if address.is_ipv4()
        && let Ok(std::net::IpAddr::V4(m)) = IpAddr::from_str(n.trim())
    {
        let bits = u32::from(m);
        let len = bits.leading_ones();
        if bits.checked_shl(len).unwrap_or(0) == 0 {
            return Ok(len as u8);
        }
    }
    Err(bad())
}

pub(super) fn has_addresses(req: &Value) -> bool {
    body::at(req, "initiator_address").is_some()
}

pub(super) fn chap_with_none_or_deny() -> ApiError {
    ApiError::bad_request(
        CHAP_WITH_NONE_OR_DENY,
        "Setting the CHAP authentication properties are not supported with authentication types \"none\" or \"deny\".",
    )
    .target("chap")
}

pub(super) fn default_unsupported() -> ApiError {
    ApiError::bad_request(
        DEFAULT_CREDENTIAL_UNSUPPORTED,
        "The functionality is not supported for the default security credential.",
    )
    .target("initiator_address")
}
