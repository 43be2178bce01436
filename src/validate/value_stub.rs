//! TEMPORARY stub until value.rs lands.
use crate::schema::model::{Model, TypeId};
pub struct ValueChecker;
impl ValueChecker {
    pub fn new(_m: &Model) -> Result<Self, String> { Ok(ValueChecker) }
    pub fn check(&self, _m: &Model, _t: TypeId, _v: &str) -> Result<(), String> { Ok(()) }
}
