//! The policy language: what the TOML files of a policy folder deserialise into.
//!
//! Every file may hold any of the top-level sections; a file holds at most one
//! `[source]`, and the `[[table]]` entries of a file belong to that file's source.
//! Values that diagnostics point at are wrapped in [`Spanned`] so that `policy check`
//! can name the file, line and column.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use toml::Spanned;

pub use crate::period::Period;

/// One TOML file of a policy folder, as written.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct PolicyFile {
    pub controller: Option<Spanned<Controller>>,
    pub tenant: Option<Spanned<Tenant>>,
    #[serde(default)]
    pub identity: Vec<Spanned<IdentityKind>>,
    #[serde(default)]
    pub purpose: Vec<Spanned<Purpose>>,
    pub source: Option<Spanned<Source>>,
    #[serde(default)]
    pub table: Vec<Spanned<Table>>,
    #[serde(default)]
    pub provider: Vec<Spanned<Provider>>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Controller {
    pub organisation: String,
    #[serde(default)]
    pub address: Option<String>,
    pub dpo: Contact,
    /// Art. 12(3): one month by default.
    #[serde(default = "default_deadline_days")]
    pub deadline_days: u32,
    /// Where a data subject may lodge a complaint (Art. 77).
    #[serde(default)]
    pub supervisory_authority: Option<String>,
    /// Art. 32 measures, listed in the Art. 30 record.
    #[serde(default)]
    pub security_measures: Vec<String>,
    /// The categories of data subjects (Art. 30(1)(c)).
    #[serde(default)]
    pub data_subjects: Vec<String>,
}

fn default_deadline_days() -> u32 {
    30
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    pub name: String,
    pub email: String,
    #[serde(default)]
    pub phone: Option<String>,
}

/// A kind of identity that locates a data subject (`email:`, `phone:`, ...).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct IdentityKind {
    pub kind: Spanned<String>,
    pub normalise: Normalise,
    /// ISO 3166 region used for phone numbers written without a country code.
    #[serde(default)]
    pub default_region: Option<Spanned<String>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Normalise {
    /// Trimmed and lower-cased, and must be a valid address.
    Email,
    /// Parsed and written in E.164 (`+972501234567`).
    Phone,
    /// Trimmed and lower-cased.
    Lower,
    /// Trimmed only.
    Trim,
}

/// Art. 6(1) (a) to (f).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LawfulBasis {
    Consent,
    Contract,
    LegalObligation,
    VitalInterests,
    PublicTask,
    LegitimateInterests,
}

impl LawfulBasis {
    pub fn article(self) -> &'static str {
        match self {
            LawfulBasis::Consent => "Art. 6(1)(a) consent",
            LawfulBasis::Contract => "Art. 6(1)(b) contract",
            LawfulBasis::LegalObligation => "Art. 6(1)(c) legal obligation",
            LawfulBasis::VitalInterests => "Art. 6(1)(d) vital interests",
            LawfulBasis::PublicTask => "Art. 6(1)(e) public task",
            LawfulBasis::LegitimateInterests => "Art. 6(1)(f) legitimate interests",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            LawfulBasis::Consent => "consent",
            LawfulBasis::Contract => "contract",
            LawfulBasis::LegalObligation => "legal_obligation",
            LawfulBasis::VitalInterests => "vital_interests",
            LawfulBasis::PublicTask => "public_task",
            LawfulBasis::LegitimateInterests => "legitimate_interests",
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Purpose {
    pub id: Spanned<String>,
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    pub basis: LawfulBasis,
    #[serde(default)]
    pub categories: Vec<Spanned<String>>,
    /// How long data kept for this purpose lives, in words (`"2y"`, `"account lifetime"`).
    #[serde(default)]
    pub retention: Option<String>,
    /// The text a subject consents to; its SHA-256 identifies the version.
    #[serde(default)]
    pub consent_text: Option<String>,
    /// Whether a subject may object to this purpose (Art. 21); by default objection
    /// applies to public-task and legitimate-interests purposes and to no other.
    #[serde(default)]
    pub objection: Option<Spanned<Objection>>,
}

impl Purpose {
    /// The objection rule in force: the declared one, else the one the basis implies.
    pub fn objection_rule(&self) -> Objection {
        match &self.objection {
            Some(rule) => *rule.get_ref(),
            None => match self.basis {
                LawfulBasis::PublicTask | LawfulBasis::LegitimateInterests => Objection::Applies,
                _ => Objection::None,
            },
        }
    }
}

/// What an objection does to a purpose (Art. 21).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Objection {
    /// Art. 21(1): processing stops unless the controller demonstrates compelling
    /// legitimate grounds (public task or legitimate interests only).
    Applies,
    /// Art. 21(2)-(3): direct marketing; an objection is absolute and only the person can
    /// take it back.
    Absolute,
    /// Art. 21 does not apply (consent is withdrawn instead; contract, legal obligation
    /// and vital interests admit no objection).
    None,
}

impl Objection {
    pub fn name(self) -> &'static str {
        match self {
            Objection::Applies => "applies",
            Objection::Absolute => "absolute",
            Objection::None => "none",
        }
    }

    pub fn article(self) -> &'static str {
        match self {
            Objection::Applies => "Art. 21(1)",
            Objection::Absolute => "Art. 21(3)",
            Objection::None => "Art. 21",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Engine {
    Sqlite,
    Postgres,
    Mysql,
}

impl Engine {
    pub fn name(self) -> &'static str {
        match self {
            Engine::Sqlite => "sqlite",
            Engine::Postgres => "postgres",
            Engine::Mysql => "mysql",
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub id: Spanned<String>,
    #[serde(default)]
    pub description: Option<String>,
    pub engine: Engine,
    /// Environment variable holding the connection URL (never the URL itself).
    #[serde(default)]
    pub url_env: Option<Spanned<String>>,
    /// For `sqlite`: the database file, relative to the policy folder.
    #[serde(default)]
    pub path: Option<Spanned<String>>,
    /// Purposes the data of this source serves (tables may narrow it).
    #[serde(default)]
    pub purposes: Vec<Spanned<String>>,
    /// Where the data is stored (country code), for the Art. 30 record.
    #[serde(default)]
    pub location: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Table {
    pub name: Spanned<String>,
    #[serde(default)]
    pub description: Option<String>,
    /// Statistics with no personal data: may hold no identity or personal column and
    /// no relation to a subject table.
    #[serde(default)]
    pub aggregate: bool,
    /// Columns that identify a row (composite keys allowed).
    #[serde(default)]
    pub key: Vec<Spanned<String>>,
    /// Every column of the table, with what it holds.
    #[serde(default)]
    pub columns: BTreeMap<String, Spanned<ColumnSpec>>,
    #[serde(default)]
    pub relation: Vec<Spanned<Relation>>,
    /// Foreign keys that are not ownership (a customer's support representative, an
    /// employee's manager): access never follows them; erasure keeps them valid.
    #[serde(default)]
    pub reference: Vec<Spanned<Reference>>,
    #[serde(default)]
    pub purposes: Vec<Spanned<String>>,
    #[serde(default)]
    pub erase: Option<Spanned<EraseAction>>,
    #[serde(default)]
    pub hold: Vec<Spanned<Hold>>,
    #[serde(default)]
    pub retention: Option<Spanned<Retention>>,
    /// The column that holds the key of the client account (the policy's `[tenant]`) the
    /// row belongs to. Rows also belong to an account through relations.
    #[serde(default)]
    pub tenant: Option<Spanned<String>>,
    /// Aggregate tables: the smallest number of rows a group may count (a k-anonymity
    /// floor). Roll-ups never write a group below it; `privops scan` reports any.
    #[serde(default)]
    pub min_group: Option<Spanned<u64>>,
    /// What a roll-up does with a group below `min_group`: keep its rows until the group
    /// reaches the floor (the default), or merge it into an `other` bucket.
    #[serde(default)]
    pub small_groups: Option<Spanned<SmallGroups>>,
}

/// What a roll-up does with groups below their aggregate's `min_group`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SmallGroups {
    /// Leave their rows in the table until the group reaches the floor.
    Keep,
    /// Roll them up with every group column that is not a truncated time set to `other`.
    Other,
}

/// The organisation-level scope of a processor: a client account (a tenant), declared
/// once. Offboarding removes everything of an account except what holds and aggregates
/// keep.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Tenant {
    /// What an account is called in messages and certificates.
    #[serde(default = "default_tenant_name")]
    pub name: String,
    /// The source, table and key column that list the accounts.
    pub source: Spanned<String>,
    pub table: Spanned<String>,
    pub key: Spanned<String>,
}

fn default_tenant_name() -> String {
    "client account".to_string()
}

/// What a column holds. Written either as a category string
/// (`email = "user.contact.email"`) or as an inline table.
#[derive(Debug, Clone, Serialize, Default)]
pub struct ColumnSpec {
    pub category: String,
    /// The identity kind this column locates a subject by.
    pub identity: Option<String>,
    /// How erasure, holds and anonymisation mask this column.
    pub mask: Option<Mask>,
}

impl<'de> Deserialize<'de> for ColumnSpec {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ColumnVisitor;
        impl<'de> Visitor<'de> for ColumnVisitor {
            type Value = ColumnSpec;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a category string or a table with `category`, `identity`, `mask`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ColumnSpec, E> {
                Ok(ColumnSpec {
                    category: v.to_string(),
                    ..ColumnSpec::default()
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ColumnSpec, A::Error> {
                let mut spec = ColumnSpec::default();
                let mut category = None;
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "category" => category = Some(map.next_value::<String>()?),
                        "identity" => spec.identity = Some(map.next_value()?),
                        "mask" => spec.mask = Some(map.next_value()?),
                        other => {
                            return Err(de::Error::unknown_field(
                                other,
                                &["category", "identity", "mask"],
                            ));
                        }
                    }
                }
                spec.category = category.ok_or_else(|| de::Error::missing_field("category"))?;
                Ok(spec)
            }
        }
        deserializer.deserialize_any(ColumnVisitor)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mask {
    /// Set to NULL.
    Null,
    /// Replace with the fixed text `[redacted]`.
    Redact,
    /// Replace with a keyed HMAC pseudonym (stable per value, not reversible).
    Hmac,
}

/// A child row belongs to the subject of the row it references.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Relation {
    /// Columns of this table that hold the reference.
    pub columns: Vec<Spanned<String>>,
    /// The referenced table (same source).
    pub references: Spanned<String>,
    /// Columns of the referenced table; its key when omitted.
    #[serde(default)]
    pub to: Vec<Spanned<String>>,
}

/// A foreign key from this table's rows to rows of other people, not to their owner.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Reference {
    /// Columns of this table that hold the reference.
    pub columns: Vec<Spanned<String>>,
    /// The referenced table (same source).
    pub references: Spanned<String>,
    /// Columns of the referenced table; its key when omitted.
    #[serde(default)]
    pub to: Vec<Spanned<String>>,
    /// What erasing a referenced row does to the rows that point at it.
    #[serde(default)]
    pub on_erase: OnErase,
}

/// How erasure keeps a non-owning reference valid when the referenced row is a subject's.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OnErase {
    /// The referenced row stays, its personal columns masked; the references stay valid.
    #[default]
    Keep,
    /// The referencing columns of the other rows are set to NULL, then the referenced row
    /// is erased as its table says.
    Null,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EraseAction {
    /// Delete the subject's rows.
    Delete,
    /// Keep the rows, mask the columns that declare a `mask`.
    Mask,
    /// Never erase (only sensible with a reason; `policy check` warns).
    Keep,
}

/// A legal hold: rows kept despite erasure (Art. 17(3)).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Hold {
    pub reason: String,
    /// The GDPR article the hold rests on, e.g. `17(3)(b)`.
    pub article: String,
    /// How long rows are held, measured from `from`.
    #[serde(default)]
    pub duration: Option<Spanned<Period>>,
    #[serde(default)]
    pub from: Option<Spanned<String>>,
    /// A column holding the date the hold ends.
    #[serde(default)]
    pub until: Option<Spanned<String>>,
    /// What erasure does to a held row: pseudonymise its masked columns, or keep it whole.
    #[serde(default = "default_hold_action")]
    pub action: HoldAction,
}

fn default_hold_action() -> HoldAction {
    HoldAction::Pseudonymise
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HoldAction {
    Pseudonymise,
    Keep,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Retention {
    /// How long a row lives, e.g. `30d`, `6m`, `7y`, `12h`.
    pub period: Spanned<Period>,
    /// The timestamp column the period runs from.
    pub from: Spanned<String>,
    pub then: RetentionAction,
    /// For `then = "rollup"`: the aggregate table, its grouping and its measures.
    #[serde(default)]
    pub rollup: Option<Spanned<Rollup>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RetentionAction {
    Delete,
    Anonymise,
    Rollup,
}

/// How expired rows are summarised into an aggregate table before deletion.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Rollup {
    /// The aggregate table (same source).
    pub into: Spanned<String>,
    /// Aggregate column = grouping of the source rows.
    pub group: BTreeMap<String, Spanned<GroupBy>>,
    /// Aggregate column = measure over the source rows.
    pub measures: BTreeMap<String, Spanned<Measure>>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct GroupBy {
    pub column: String,
    /// For timestamps: `day`, `month` or `year` (UTC).
    #[serde(default)]
    pub truncate: Option<Truncate>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Truncate {
    Day,
    Month,
    Year,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Measure {
    /// `count` (rows) or `sum` (of `column`).
    pub op: MeasureOp,
    #[serde(default)]
    pub column: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MeasureOp {
    Count,
    Sum,
}

/// A third party that processes personal data (Art. 28) or receives it.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Provider {
    pub id: Spanned<String>,
    pub name: String,
    pub role: ProviderRole,
    /// ISO 3166 country codes where the provider processes data.
    pub countries: Vec<String>,
    /// The safeguard for a third-country transfer (Art. 46), e.g. `SCC`.
    #[serde(default)]
    pub safeguard: Option<String>,
    #[serde(default)]
    pub categories: Vec<Spanned<String>>,
    #[serde(default)]
    pub purposes: Vec<Spanned<String>>,
    /// Environment variable with the API base URL.
    #[serde(default)]
    pub base_url_env: Option<Spanned<String>>,
    #[serde(default)]
    pub auth: Option<Auth>,
    /// The deadline of one request to the provider, its retries and their waits
    /// included (`"30s"`, `"2m"`); [`Timeout::DEFAULT`] when omitted.
    #[serde(default)]
    pub timeout: Option<Spanned<Timeout>>,
    #[serde(default)]
    pub retries: Option<u32>,
    #[serde(default)]
    pub access: Option<Spanned<HttpRequest>>,
    #[serde(default)]
    pub erase: Option<Spanned<HttpRequest>>,
    /// The request that corrects the subject's data at the provider (Art. 16, 19):
    /// `{new.CATEGORY}` takes the corrected value of a category.
    #[serde(default)]
    pub update: Option<Spanned<HttpRequest>>,
    /// What a person must do where the provider has no API.
    #[serde(default)]
    pub manual: Option<String>,
}

/// How long one request to a provider may take, written as a duration (`"30s"`,
/// `"1m 30s"`), from one second to ten minutes. Parsed when the policy loads, so a bad
/// one is a located error there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeout(pub std::time::Duration);

impl Timeout {
    pub(crate) const DEFAULT: Timeout = Timeout(std::time::Duration::from_secs(30));
    const MIN: std::time::Duration = std::time::Duration::from_secs(1);
    const MAX: std::time::Duration = std::time::Duration::from_secs(600);
}

impl std::str::FromStr for Timeout {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let duration = humantime::parse_duration(text.trim()).map_err(|_| {
            format!("invalid timeout `{text}`: write a duration such as `30s` or `2m`")
        })?;
        if !(Timeout::MIN..=Timeout::MAX).contains(&duration) {
            return Err(format!("timeout `{text}` is out of range: from 1s to 10m"));
        }
        Ok(Timeout(duration))
    }
}

impl fmt::Display for Timeout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", humantime::format_duration(self.0))
    }
}

impl Serialize for Timeout {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timeout {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(de::Error::custom)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProviderRole {
    Processor,
    SubProcessor,
    Controller,
    JointController,
}

impl ProviderRole {
    pub fn name(self) -> &'static str {
        match self {
            ProviderRole::Processor => "processor",
            ProviderRole::SubProcessor => "sub-processor",
            ProviderRole::Controller => "controller",
            ProviderRole::JointController => "joint controller",
        }
    }
}

/// Credentials read from the environment and sent in a header.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Auth {
    /// Environment variable holding the secret.
    pub env: String,
    #[serde(default = "default_auth_header")]
    pub header: String,
    /// Prefix such as `Bearer`; empty for none.
    #[serde(default)]
    pub scheme: Option<String>,
}

fn default_auth_header() -> String {
    "Authorization".to_string()
}

/// A declarative HTTP request. Templates use `{identity.KIND}` for the subject's
/// normalised identity and `{SOURCE.TABLE.COLUMN}` for values found in the subject's rows
/// (one call per distinct value).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct HttpRequest {
    #[serde(default = "default_method")]
    pub method: String,
    pub path: String,
    #[serde(default)]
    pub query: BTreeMap<String, String>,
    #[serde(default)]
    pub body: Option<serde_json::Value>,
    #[serde(default = "default_success")]
    pub success: Vec<u16>,
    /// Statuses that mean "nothing there" (e.g. 404 on erasure: already gone).
    #[serde(default)]
    pub not_found: Vec<u16>,
    /// Pagination: the JSON field of the response holding the next cursor and the
    /// query parameter that sends it back.
    #[serde(default)]
    pub paginate: Option<Paginate>,
    /// The JSON field of the response holding the records (the whole body when omitted).
    #[serde(default)]
    pub records: Option<String>,
    /// Up to this many values per call: the request's one placeholder, written alone as a
    /// string of the body (`emails = "{identity.email}"`), becomes a JSON array of values.
    #[serde(default)]
    pub batch: Option<u32>,
}

fn default_method() -> String {
    "GET".to_string()
}

fn default_success() -> Vec<u16> {
    vec![200]
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Paginate {
    pub cursor_field: String,
    pub param: String,
}
