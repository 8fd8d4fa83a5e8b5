//! Emulator conditions around a case's steps (`requires.emulator`): set after setup, restored
//! before teardown whatever happened, so setup and teardown always see the normal cluster.

use serde_json::{Map, Value};

use super::case_run::CaseRun;
use crate::case::interpolate;

impl CaseRun<'_> {
    /// Sets `conds` and returns the values they replace, for [`CaseRun::patch_conditions`] to put
    /// back.
    pub(super) async fn set_conditions(
        &mut self,
        conds: &Map<String, Value>,
    ) -> Result<Value, String> {
        let wanted = interpolate(&Value::Object(conds.clone()), &self.vars)
            .map_err(|n| format!("`{{{{{n}}}}}` is not set"))?;
        let current = self.ctx.target.get("/emulator/conditions").await?;
        let current = current
            .body
            .filter(|_| current.status == 200)
            .ok_or_else(|| format!("GET /emulator/conditions answered {}", current.status))?;
        let previous: Map<String, Value> = conds
            .keys()
            .filter_map(|k| current.get(k).map(|v| (k.clone(), v.clone())))
            .collect();
        self.patch_conditions(&wanted).await?;
        Ok(Value::Object(previous))
    }

    pub(super) async fn patch_conditions(&self, body: &Value) -> Result<(), String> {
        let target = &self.ctx.target;
        let bytes = Some(body.to_string().into_bytes());
        let req = target.request("PATCH", "/emulator/conditions", bytes, target.run_auth());
        let r = target.send(&req).await;
        self.record(None, "requires.emulator", &req, &r);
        let r = r?;
        if r.status == 200 {
            Ok(())
        } else {
            Err(format!(
                "PATCH /emulator/conditions answered {}: {}",
                r.status,
                r.body.map(|b| b.to_string()).unwrap_or_default()
            ))
        }
    }
}
