//! `/api/cluster`: the cluster exists.
//!
//! - A POST (NetApp's "Creates a cluster") on the emulated cluster, which is made already, is
//!   refused: 400 code 1182809, "Cluster creation is already complete." (documented: the 9.19.1
//!   reference's error table for `POST /api/cluster`; the 9.8 file's table predates the code).
//!   A PATCH is the engine's: a job that sets the fields the schema lets a PATCH set.

use super::{Behaviour, Call};
use crate::engine::change::Change;
use crate::error::{ApiError, ApiResult};

pub const BEHAVIOUR: Behaviour = Behaviour {
    path: crate::engine::CLUSTER,
    on,
    given: None,
};

/// ONTAP's code for a cluster create on a cluster that exists (documented).
pub const CREATED_ALREADY: &str = "1182809";

fn on(call: &Call, _: &mut Change) -> ApiResult<()> {
    if call.method == "POST" {
        return Err(ApiError::bad_request(
            CREATED_ALREADY,
            "Cluster creation is already complete.",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collection::Query;
    use crate::engine::engine;

    #[test]
    fn a_cluster_is_created_once_and_patched_at_will() {
        let eng = engine();
        let q = Query::default();
        let res = eng
            .resources
            .list
            .iter()
            .position(|r| r.template == crate::engine::CLUSTER)
            .expect("the engine keeps the cluster");
        let id = eng.seeded.records[res][0].id;
        for (method, refused) in [("POST", true), ("PATCH", false)] {
            let call = Call {
                engine: eng,
                store: &eng.seeded,
                query: &q,
                method,
                more: Default::default(),
            };
            let mut change = Change::Patch {
                res,
                id,
                patch: serde_json::json!({"name": "c2"}),
            };
            let answer = on(&call, &mut change);
            assert_eq!(
                answer.err().map(|e| e.code),
                refused.then(|| CREATED_ALREADY.to_string()),
                "{method}"
            );
        }
    }
}
