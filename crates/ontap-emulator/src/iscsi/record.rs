//! An iSCSI credential as the API shows it: [`Out`] writes it straight to JSON (a page of them
//! as text, [`super::list`]), [`record`] makes the same as a tree for the handlers that work on
//! trees. One definition, so the two cannot drift.

use std::net::IpAddr;

use serde::{Serialize, Serializer};
use serde_json::Value;

use super::{BASE, family};
use crate::state::{AddrMask, AddrRange, Credential, State};

pub(super) fn record(state: &State, c: &Credential) -> Value {
    serde_json::to_value(Out::new(state, c, true)).unwrap_or(Value::Null)
}

/// A credential as the API shows it, written straight to JSON: the one definition of the
/// record, which [`record`] turns into a tree and [`list`] writes as text for a whole page.
/// Without `links` (a plain-JSON answer) it has no `_links`, its SVM's included.
#[derive(Serialize)]
pub(super) struct Out<'a> {
    svm: SvmOut<'a>,
    initiator: &'a str,
    authentication_type: &'a str,
    #[serde(skip_serializing_if = "ChapOut::is_empty")]
    chap: ChapOut<'a>,
    #[serde(skip_serializing_if = "AddrOut::is_empty")]
    initiator_address: AddrOut<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    _links: Option<Links<SelfHref<'a>>>,
}

#[derive(Serialize)]
struct SvmOut<'a> {
    uuid: &'a str,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    _links: Option<Links<SvmHref<'a>>>,
}

#[derive(Serialize)]
struct Links<H> {
    #[serde(rename = "self")]
    this: Href<H>,
}

#[derive(Serialize)]
struct Href<H> {
    href: H,
}

/// `/api/svm/svms/{uuid}`, written without a `String` of its own.
struct SvmHref<'a>(&'a str);

impl Serialize for SvmHref<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&format_args!("/api/svm/svms/{}", self.0))
    }
}

/// The credential's own path (not percent-encoded, as it always was in `_links`).
struct SelfHref<'a>(&'a Credential);

impl Serialize for SelfHref<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&format_args!(
            "{BASE}/{}/{}",
            self.0.svm_uuid, self.0.initiator
        ))
    }
}

#[derive(Serialize)]
struct ChapOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    inbound: Option<User<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    outbound: Option<User<'a>>,
}

impl ChapOut<'_> {
    fn is_empty(&self) -> bool {
        self.inbound.is_none() && self.outbound.is_none()
    }
}

#[derive(Serialize)]
struct User<'a> {
    user: &'a str,
}

#[derive(Serialize)]
struct AddrOut<'a> {
    #[serde(skip_serializing_if = "<[_]>::is_empty", serialize_with = "masks")]
    masks: &'a [AddrMask],
    #[serde(skip_serializing_if = "<[_]>::is_empty", serialize_with = "ranges")]
    ranges: &'a [AddrRange],
}

impl AddrOut<'_> {
    fn is_empty(&self) -> bool {
        self.masks.is_empty() && self.ranges.is_empty()
    }
}

#[derive(Serialize)]
struct Span<'a> {
    #[serde(serialize_with = "display")]
    start: &'a IpAddr,
    #[serde(serialize_with = "display")]
    end: &'a IpAddr,
    family: &'static str,
}

#[derive(Serialize)]
struct Mask<'a> {
    #[serde(serialize_with = "display")]
    address: &'a IpAddr,
    #[serde(serialize_with = "display")]
    netmask: &'a u8,
    family: &'static str,
}

/// As a string: addresses and netmasks are strings in ONTAP's records.
fn display<T: std::fmt::Display, S: Serializer>(v: &&T, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(v)
}

fn masks<S: Serializer>(masks: &&[AddrMask], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(masks.iter().map(|k| Mask {
        address: &k.address,
        netmask: &k.netmask,
        family: family(&k.address),
    }))
}

fn ranges<S: Serializer>(ranges: &&[AddrRange], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(ranges.iter().map(|r| Span {
        start: &r.start,
        end: &r.end,
        family: family(&r.start),
    }))
}

impl<'a> Out<'a> {
    pub(super) fn new(state: &'a State, c: &'a Credential, links: bool) -> Out<'a> {
        let svm = SvmOut {
            uuid: &c.svm_uuid,
            name: state.svm_name_of(&c.svm_uuid),
            _links: links.then_some(Links {
                this: Href {
                    href: SvmHref(&c.svm_uuid),
                },
            }),
        };
        let user = |u: &'a Option<String>| u.as_deref().map(|user| User { user });
        Out {
            svm,
            initiator: &c.initiator,
            authentication_type: &c.authentication_type,
            chap: ChapOut {
                inbound: user(&c.chap.inbound_user),
                outbound: user(&c.chap.outbound_user),
            },
            initiator_address: AddrOut {
                masks: &c.masks,
                ranges: &c.ranges,
            },
            _links: links.then_some(Links {
                this: Href { href: SelfHref(c) },
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    use crate::state::Chap;

    /// The record as it was built field by field before it was written straight to JSON.
    fn as_built_before(state: &State, c: &Credential) -> Value {
        let svm = &c.svm_uuid;
        let mut v = json!({
            "svm": {"uuid": svm, "name": state.svm_name(svm),
                    "_links": {"self": {"href": format!("/api/svm/svms/{svm}")}}},
            "initiator": c.initiator,
            "authentication_type": c.authentication_type,
            "chap": {"inbound": {"user": "in"}, "outbound": {"user": "out"}},
            "initiator_address": {
                "masks": [{"address": "10.0.0.0", "netmask": "8", "family": "ipv4"}],
                "ranges": [{"start": "fd00::1", "end": "fd00::9", "family": "ipv6"}]
            },
            "_links": {"self": {"href": format!("{BASE}/{svm}/{}", c.initiator)}}
        });
        if c.chap.inbound_user.is_none() {
            v.as_object_mut().expect("an object").shift_remove("chap");
            v.as_object_mut()
                .expect("an object")
                .shift_remove("initiator_address");
        }
        v
    }

    #[test]
    fn a_credential_is_written_as_it_was_built_with_and_without_links() {
        let state = State::initial();
        let svm = state.svms()[0].uuid.clone();
        let full = Credential {
            svm_uuid: svm.clone(),
            initiator: "iqn.1995-08.com.example:a".into(),
            authentication_type: "chap".into(),
            chap: Chap {
                inbound_user: Some("in".into()),
                inbound_password: Some("secret-in".into()),
                outbound_user: Some("out".into()),
                outbound_password: Some("secret-out".into()),
            },
            ranges: vec![AddrRange {
                start: "fd00::1".parse().expect("an address"),
                end: "fd00::9".parse().expect("an address"),
            }],
            masks: vec![AddrMask {
                address: "10.0.0.0".parse().expect("an address"),
                netmask: 8,
            }],
        };
        let bare = Credential {
            initiator: "default".into(),
            authentication_type: "none".into(),
            chap: Chap::default(),
            ranges: Vec::new(),
            masks: Vec::new(),
            ..full.clone()
        };
        for c in [&full, &bare] {
            let mut want = as_built_before(&state, c);
            assert_eq!(record(&state, c).to_string(), want.to_string());
            crate::conventions::drop_links(&mut want);
            let plain = serde_json::to_string(&Out::new(&state, c, false)).expect("JSON");
            assert_eq!(plain, want.to_string());
        }
    }
}
