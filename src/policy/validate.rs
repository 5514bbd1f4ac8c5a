//! Semantic checks of a loaded policy: every rule that serde alone cannot express.
//! All problems are collected; nothing stops at the first.

use std::collections::{BTreeMap, BTreeSet};

use toml::Spanned;

use super::model::*;
use super::{
    Diagnostic, Location, Policy, Severity, is_policy_id, is_sql_identifier, is_sql_table_name,
    taxonomy,
};
use crate::template::Placeholder;

struct Checker<'a> {
    policy: &'a Policy,
    out: Vec<Diagnostic>,
}

impl Checker<'_> {
    fn at<T>(&self, file: usize, spanned: &Spanned<T>) -> Location {
        Location {
            file,
            start: spanned.span().start,
        }
    }

    fn error(&mut self, at: Location, message: String) {
        let diagnostic = self.policy.diagnostic(Severity::Error, at, message);
        self.out.push(diagnostic);
    }

    fn warning(&mut self, at: Location, message: String) {
        let diagnostic = self.policy.diagnostic(Severity::Warning, at, message);
        self.out.push(diagnostic);
    }

    fn folder_error(&mut self, message: String) {
        self.out.push(Diagnostic {
            severity: Severity::Error,
            file: String::new(),
            line: 0,
            column: 0,
            message,
        });
    }

    fn id(&mut self, file: usize, id: &Spanned<String>, what: &str) {
        if !is_policy_id(id.get_ref()) {
            self.error(
                self.at(file, id),
                format!(
                    "{what} id `{}` is not a valid id: use lower-case letters, digits, `_` and `-`, starting with a letter",
                    id.get_ref()
                ),
            );
        }
    }

    fn category(&mut self, at: Location, category: &str) {
        if !taxonomy::is_known(category) {
            let hint = taxonomy::suggest(category)
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            self.error(
                at,
                format!("unknown category `{category}`{hint}; see the taxonomy in README.md"),
            );
        }
    }

    fn purpose_refs(&mut self, file: usize, purposes: &[Spanned<String>]) {
        for purpose in purposes {
            if self.policy.purpose(purpose.get_ref()).is_none()
                && !self.policy.unread.purposes.contains(purpose.get_ref())
            {
                self.error(
                    self.at(file, purpose),
                    format!("unknown purpose `{}`", purpose.get_ref()),
                );
            }
        }
    }
}

pub(super) fn validate(policy: &Policy) -> Vec<Diagnostic> {
    let mut checker = Checker {
        policy,
        out: Vec::new(),
    };
    controller(&mut checker);
    identities(&mut checker);
    purposes(&mut checker);
    sources(&mut checker);
    tenant(&mut checker);
    providers(&mut checker);
    checker.out
}

/// The checks of purposes and identity kinds alone (see [`Policy::load_purposes`]).
pub(super) fn purposes_and_identities(policy: &Policy) -> Vec<Diagnostic> {
    let mut checker = Checker {
        policy,
        out: Vec::new(),
    };
    identities(&mut checker);
    purposes(&mut checker);
    checker.out
}

/// The client account scope: where accounts are listed, which columns name an account,
/// and which tables with personal data no account reaches (offboarding would leave them).
fn tenant(c: &mut Checker) {
    let policy = c.policy;
    let Some((file, tenant)) = &policy.tenant else {
        // Declared in a file that did not load: its error is the one to fix.
        if policy.unread.tenant {
            return;
        }
        for source_def in &policy.sources {
            for table_def in &source_def.tables {
                if let Some(column) = &table_def.table.tenant {
                    c.error(
                        c.at(table_def.file, column),
                        format!(
                            "table `{}` names a tenant column but the policy declares no [tenant] scope",
                            table_def.table.name()
                        ),
                    );
                }
            }
        }
        return;
    };
    let scope = tenant.get_ref();
    match policy
        .sources
        .iter()
        .find(|s| s.id() == scope.source.get_ref())
    {
        None => c.error(
            c.at(*file, &scope.source),
            format!("[tenant] names unknown source `{}`", scope.source.get_ref()),
        ),
        Some(source_def) => match source_def
            .tables
            .iter()
            .find(|t| t.table.name() == scope.table.get_ref())
        {
            None => c.error(
                c.at(*file, &scope.table),
                format!(
                    "[tenant] names unknown table `{}` of source `{}`",
                    scope.table.get_ref(),
                    scope.source.get_ref()
                ),
            ),
            Some(table_def) => {
                if table_def.table.column(scope.key.get_ref()).is_none() {
                    c.error(
                        c.at(*file, &scope.key),
                        format!(
                            "[tenant] key `{}` is not a declared column of `{}`",
                            scope.key.get_ref(),
                            scope.table.get_ref()
                        ),
                    );
                }
            }
        },
    }
    for source_def in &policy.sources {
        for table_def in &source_def.tables {
            let table = &table_def.table;
            if let Some(column) = &table.tenant {
                if table.aggregate {
                    c.error(
                        c.at(table_def.file, column),
                        format!(
                            "aggregate table `{}` cannot belong to a client account: aggregates stay when an account leaves",
                            table.name()
                        ),
                    );
                } else {
                    declared_column(c, table_def.file, table, column, "tenant column");
                }
            }
        }
        for table in super::tenant::unreachable(scope, source_def) {
            let at = source_def
                .tables
                .iter()
                .find(|t| t.table.name() == table.name())
                .map(|t| c.at(t.file, &t.table.name))
                .expect("the table is the source's");
            c.warning(
                at,
                format!(
                    "table `{}` holds personal data but belongs to no {}: no tenant column and no relation to a table that belongs; offboarding an account would leave its rows",
                    table.name(),
                    scope.name
                ),
            );
        }
    }
}

fn controller(c: &mut Checker) {
    match &c.policy.controller {
        // Declared in a file that did not load: that file's error says it all.
        None if c.policy.unread.controller => {}
        None => c.folder_error(
            "no [controller] in the policy folder: declare the organisation, its DPO and the request deadline".into(),
        ),
        Some((file, controller)) => {
            let at = c.at(*file, controller);
            let controller = controller.get_ref();
            if controller.deadline_days == 0 || controller.deadline_days > 90 {
                c.error(
                    at,
                    format!(
                        "deadline_days = {} is outside Art. 12(3): one month, at most three with extensions",
                        controller.deadline_days
                    ),
                );
            }
            if !email_address::EmailAddress::is_valid(&controller.dpo.email) {
                c.error(
                    at,
                    format!("the DPO e-mail `{}` is not a valid address", controller.dpo.email),
                );
            }
        }
    }
}

fn identities(c: &mut Checker) {
    let mut seen = BTreeSet::new();
    if c.policy.identities.is_empty() && c.policy.unread.identity_kinds.is_empty() {
        c.folder_error(
            "no [[identity]] kinds: declare how subjects are located (e.g. kind = \"email\")"
                .into(),
        );
    }
    for (file, identity) in &c.policy.identities {
        let identity = identity.get_ref();
        c.id(*file, &identity.kind, "identity kind");
        if !seen.insert(identity.kind.get_ref().clone()) {
            c.error(
                c.at(*file, &identity.kind),
                format!("duplicate identity kind `{}`", identity.kind.get_ref()),
            );
        }
        if let Some(region) = &identity.default_region {
            if identity.normalise != Normalise::Phone {
                c.warning(
                    c.at(*file, region),
                    "default_region only applies to normalise = \"phone\"".into(),
                );
            } else if region
                .get_ref()
                .parse::<phonenumber::country::Id>()
                .is_err()
            {
                c.error(
                    c.at(*file, region),
                    format!(
                        "unknown region `{}`: use an ISO 3166 code such as `IL` or `DE`",
                        region.get_ref()
                    ),
                );
            }
        }
    }
}

fn purposes(c: &mut Checker) {
    let mut seen = BTreeSet::new();
    for (file, purpose) in &c.policy.purposes {
        let whole = c.at(*file, purpose);
        let purpose = purpose.get_ref();
        c.id(*file, &purpose.id, "purpose");
        if !seen.insert(purpose.id.get_ref().clone()) {
            c.error(
                c.at(*file, &purpose.id),
                format!("duplicate purpose `{}`", purpose.id.get_ref()),
            );
        }
        for category in &purpose.categories {
            c.category(c.at(*file, category), category.get_ref());
        }
        let has_text = purpose
            .consent_text
            .as_deref()
            .is_some_and(|t| !t.trim().is_empty());
        if purpose.basis == LawfulBasis::Consent && !has_text {
            c.warning(
                whole,
                format!(
                    "purpose `{}` rests on consent but has no consent_text: consent cannot be demonstrated (Art. 7(1))",
                    purpose.id.get_ref()
                ),
            );
        }
        if purpose.basis != LawfulBasis::Consent && has_text {
            c.warning(
                whole,
                format!(
                    "purpose `{}` has a consent_text but its basis is {}: the text is never asked for",
                    purpose.id.get_ref(),
                    purpose.basis.name()
                ),
            );
        }
        if let Some(rule) = &purpose.objection {
            let fits_basis = matches!(
                purpose.basis,
                LawfulBasis::PublicTask | LawfulBasis::LegitimateInterests
            );
            if *rule.get_ref() == crate::policy::Objection::Applies && !fits_basis {
                c.error(
                    c.at(*file, rule),
                    format!(
                        "purpose `{}`: objection = \"applies\" needs a basis of public_task or legitimate_interests (Art. 21(1)); its basis is {} (use \"absolute\" for direct marketing)",
                        purpose.id.get_ref(),
                        purpose.basis.name()
                    ),
                );
            }
        }
    }
}

fn sources(c: &mut Checker) {
    let mut seen = BTreeSet::new();
    for source_def in &c.policy.sources {
        let file = source_def.file;
        let source = &source_def.source;
        c.id(file, &source.id, "source");
        if !seen.insert(source.id.get_ref().clone()) {
            c.error(
                c.at(file, &source.id),
                format!("duplicate source `{}`", source.id.get_ref()),
            );
        }
        match (&source.path, &source.url_env) {
            (None, None) => c.error(
                c.at(file, &source.id),
                format!(
                    "source `{}` needs a path or url_env: where is its database?",
                    source.id.get_ref()
                ),
            ),
            (Some(path), _) if source.engine != Engine::Sqlite => c.error(
                c.at(file, path),
                "path is only for engine = \"sqlite\"; use url_env for a server database".into(),
            ),
            (Some(path), Some(_)) => c.error(
                c.at(file, path),
                "give either path or url_env, not both".into(),
            ),
            _ => {}
        }
        if let Some(env) = &source.url_env {
            if !is_env_name(env.get_ref()) {
                c.error(
                    c.at(file, env),
                    format!(
                        "url_env `{}` is not an environment variable name",
                        env.get_ref()
                    ),
                );
            }
        }
        c.purpose_refs(file, &source.purposes);
        tables(c, source_def);
    }
}

fn tables(c: &mut Checker, source_def: &super::SourceDef) {
    let mut seen = BTreeSet::new();
    let by_name: BTreeMap<&str, &Table> = source_def
        .tables
        .iter()
        .map(|t| (t.table.name(), &t.table))
        .collect();
    for table_def in &source_def.tables {
        let file = table_def.file;
        let table = &table_def.table;
        let name = table.name();
        let table_at = c.at(file, &table.name);
        if !is_sql_table_name(name) {
            c.error(
                table_at,
                format!("table name `{name}` is not a valid identifier: use letters, digits and `_` (one `schema.` prefix allowed)"),
            );
        }
        if !seen.insert(name.to_string()) {
            c.error(
                table_at,
                format!("duplicate table `{name}` in source `{}`", source_def.id()),
            );
        }
        for (column, spec) in &table.columns {
            let at = c.at(file, spec);
            if !is_sql_identifier(column) {
                c.error(
                    at,
                    format!("column name `{column}` is not a valid identifier: use letters, digits and `_`"),
                );
            }
            let spec = spec.get_ref();
            c.category(at, &spec.category);
            let personal = taxonomy::is_personal(&spec.category);
            if let Some(kind) = &spec.identity {
                if c.policy.identity_kind(kind).is_none()
                    && !c.policy.unread.identity_kinds.contains(kind)
                {
                    c.error(
                        at,
                        format!("unknown identity kind `{kind}` on column `{column}`"),
                    );
                }
                if !personal {
                    c.error(
                        at,
                        format!(
                            "identity column `{column}` must have a personal (`user.*`) category"
                        ),
                    );
                }
            }
            if spec.mask.is_some() && !personal {
                c.error(
                    at,
                    format!(
                        "mask on `{column}`, which is not a personal column (category `{}`)",
                        spec.category
                    ),
                );
            }
            if table.aggregate && spec.identity.is_some() {
                c.error(
                    at,
                    format!("aggregate table `{name}` declares identity column `{column}`: aggregated metrics must identify nobody"),
                );
            } else if table.aggregate && personal {
                c.error(
                    at,
                    format!("aggregate table `{name}` declares personal column `{column}`: aggregated metrics must identify nobody"),
                );
            }
        }
        if let (Some(mode), None) = (&table.small_groups, &table.min_group) {
            c.error(
                c.at(file, mode),
                format!("table `{name}`: small_groups says what to do below min_group, which the table does not declare"),
            );
        }
        if let Some(floor) = &table.min_group {
            if !table.aggregate {
                c.error(
                    c.at(file, floor),
                    format!("table `{name}`: min_group is a floor for aggregate tables; this table is not one"),
                );
            } else if *floor.get_ref() < 2 {
                c.error(
                    c.at(file, floor),
                    format!(
                        "table `{name}`: min_group must be at least 2 (a group of one is a person)"
                    ),
                );
            }
        }
        if table.key.is_empty() && !table.aggregate {
            c.error(
                table_at,
                format!("table `{name}` has no key: list the columns that identify a row"),
            );
        }
        for key in &table.key {
            declared_column(c, file, table, key, "key column");
        }
        for relation in &table.relation {
            let r = relation.get_ref();
            let link = Link {
                what: "relation",
                at: c.at(file, relation),
                columns: &r.columns,
                references: &r.references,
                to: &r.to,
            };
            link.check(c, file, source_def, table, &by_name);
        }
        for reference in &table.reference {
            let r = reference.get_ref();
            let link = Link {
                what: "reference",
                at: c.at(file, reference),
                columns: &r.columns,
                references: &r.references,
                to: &r.to,
            };
            link.check(c, file, source_def, table, &by_name);
        }
        both_relation_and_reference(c, file, table, &by_name);
        c.purpose_refs(file, &table.purposes);
        erase_rules(c, file, table);
        holds(c, file, table);
        retention(c, file, table, &by_name);
    }
    reachability(c, source_def, &by_name);
}

/// A relation or a non-owning reference: columns of this table that point at columns
/// of another table of the same source. Both are checked alike.
struct Link<'a> {
    what: &'static str,
    at: Location,
    columns: &'a [Spanned<String>],
    references: &'a Spanned<String>,
    to: &'a [Spanned<String>],
}

impl Link<'_> {
    fn check(
        &self,
        c: &mut Checker,
        file: usize,
        source_def: &super::SourceDef,
        table: &Table,
        by_name: &BTreeMap<&str, &Table>,
    ) {
        let name = table.name();
        let what = self.what;
        for column in self.columns {
            declared_column(c, file, table, column, &format!("{what} column"));
        }
        let Some(referenced) = by_name.get(self.references.get_ref().as_str()) else {
            c.error(
                c.at(file, self.references),
                format!(
                    "{what} of `{name}` references unknown table `{}` in source `{}`",
                    self.references.get_ref(),
                    source_def.id()
                ),
            );
            return;
        };
        if table.aggregate && !referenced.aggregate {
            c.error(
                c.at(file, self.references),
                format!("aggregate table `{name}` has a {what} to subject table `{}`: aggregated metrics must not link to personal data", referenced.name()),
            );
        }
        for target in self.to {
            if referenced.column(target.get_ref()).is_none() {
                c.error(
                    c.at(file, target),
                    format!(
                        "unknown column `{}` in table `{}`",
                        target.get_ref(),
                        referenced.name()
                    ),
                );
            }
        }
        let targets = self.targets(referenced);
        if targets.len() != self.columns.len() {
            c.error(
                self.at,
                format!(
                    "{what} of `{name}` has {} column(s) but `{}` is referenced by {}",
                    self.columns.len(),
                    referenced.name(),
                    targets.len()
                ),
            );
        }
    }

    /// The referenced columns: those `to` names, or the referenced table's key.
    fn targets<'t>(&'t self, referenced: &'t Table) -> Vec<&'t str> {
        if self.to.is_empty() {
            referenced.key_columns()
        } else {
            self.to.iter().map(|c| c.get_ref().as_str()).collect()
        }
    }
}

/// The same columns cannot both make a row the subject's (relation) and point at
/// another person (reference): access would follow one and not the other.
fn both_relation_and_reference(
    c: &mut Checker,
    file: usize,
    table: &Table,
    tables: &BTreeMap<&str, &Table>,
) {
    for reference in &table.reference {
        let r = reference.get_ref();
        let Some(referenced) = tables.get(r.references.get_ref().as_str()) else {
            continue;
        };
        let pairs =
            |columns: &[Spanned<String>], targets: Vec<&str>| -> BTreeSet<(String, String)> {
                columns
                    .iter()
                    .map(|c| c.get_ref().clone())
                    .zip(targets.into_iter().map(str::to_string))
                    .collect()
            };
        let mine = pairs(&r.columns, Table::reference_targets(r, referenced));
        let clash = table.relation.iter().any(|relation| {
            let relation = relation.get_ref();
            relation.references.get_ref() == r.references.get_ref()
                && pairs(
                    &relation.columns,
                    Table::relation_targets(relation, referenced),
                ) == mine
        });
        if clash {
            c.error(
                c.at(file, reference),
                format!(
                    "`{}` declares the link {} -> `{}` both as a relation and as a reference: a row either belongs to the subject of the row it points at (relation) or points at another person (reference)",
                    table.name(),
                    r.columns.iter().map(|c| format!("`{}`", c.get_ref())).collect::<Vec<_>>().join(", "),
                    referenced.name()
                ),
            );
        }
    }
}

fn declared_column(
    c: &mut Checker,
    file: usize,
    table: &Table,
    column: &Spanned<String>,
    what: &str,
) {
    if table.column(column.get_ref()).is_none() {
        c.error(
            c.at(file, column),
            format!(
                "{what} `{}` is an unknown column of `{}`: declare it in [table.columns]",
                column.get_ref(),
                table.name()
            ),
        );
    }
}

fn erase_rules(c: &mut Checker, file: usize, table: &Table) {
    if table.aggregate {
        return;
    }
    let name = table.name();
    let erase = table.erase.as_ref().map(|e| *e.get_ref());
    for (column, spec) in table.personal_columns() {
        let covered = match erase {
            Some(EraseAction::Delete) => true,
            Some(EraseAction::Mask) => spec.mask.is_some(),
            Some(EraseAction::Keep) | None => false,
        };
        if !covered {
            let at = c.at(file, &table.columns[column]);
            let why = match erase {
                Some(EraseAction::Mask) => "erase = \"mask\" but the column has no mask",
                Some(EraseAction::Keep) => "the table says erase = \"keep\"",
                _ => "the table has no erase rule",
            };
            c.warning(
                at,
                format!("personal column `{name}.{column}` has no erase action: {why}"),
            );
        }
    }
}

fn holds(c: &mut Checker, file: usize, table: &Table) {
    for hold in &table.hold {
        let at = c.at(file, hold);
        let hold = hold.get_ref();
        if hold.reason.trim().is_empty() {
            c.error(
                at,
                "a hold needs a reason: say why the rows are kept (receipts and reports show it)"
                    .into(),
            );
        }
        if hold.article.trim().is_empty() {
            c.error(
                at,
                "a hold needs the article it rests on, e.g. `17(3)(b)` (legal obligation) or `17(3)(e)` (legal claims)".into(),
            );
        }
        match (&hold.duration, &hold.until) {
            (None, None) => c.error(at, "a hold needs a duration or until: how long are rows held? (a duration also needs `from`)".into()),
            (Some(_), until) => {
                match &hold.from {
                    Some(from) => declared_column(c, file, table, from, "hold column"),
                    None => c.error(at, "a hold with a duration needs `from`: the column it runs from".into()),
                }
                if let Some(until) = until {
                    c.error(c.at(file, until), "give either duration or until, not both".into());
                }
            }
            (None, Some(until)) => declared_column(c, file, table, until, "hold column"),
        }
        if hold.action == HoldAction::Pseudonymise
            && !table.personal_columns().any(|(_, s)| s.mask.is_some())
        {
            c.warning(
                at,
                format!(
                    "hold on `{}` pseudonymises but no column declares a mask",
                    table.name()
                ),
            );
        }
    }
}

fn retention(c: &mut Checker, file: usize, table: &Table, tables: &BTreeMap<&str, &Table>) {
    let Some(retention) = &table.retention else {
        return;
    };
    let at = c.at(file, retention);
    let retention = retention.get_ref();
    declared_column(c, file, table, &retention.from, "retention column");
    match (retention.then, &retention.rollup) {
        (RetentionAction::Rollup, None) => c.error(
            at,
            "then = \"rollup\" needs a [table.retention.rollup] section".into(),
        ),
        (RetentionAction::Rollup, Some(rollup)) => {
            let rollup_at = c.at(file, rollup);
            let rollup = rollup.get_ref();
            match tables.get(rollup.into.get_ref().as_str()) {
                None => c.error(
                    c.at(file, &rollup.into),
                    format!("rollup into unknown table `{}`", rollup.into.get_ref()),
                ),
                Some(target) if !target.aggregate => c.error(
                    c.at(file, &rollup.into),
                    format!("rollup into `{}`, which is not an aggregate table (declare aggregate = true)", target.name()),
                ),
                Some(target) => {
                    for (aggregate_column, group) in &rollup.group {
                        let group_at = c.at(file, group);
                        if target.column(aggregate_column).is_none() {
                            c.error(group_at, format!("unknown column `{aggregate_column}` in aggregate table `{}`", target.name()));
                        }
                        if table.column(&group.get_ref().column).is_none() {
                            c.error(group_at, format!("unknown column `{}` in table `{}`", group.get_ref().column, table.name()));
                        }
                    }
                    for (aggregate_column, measure) in &rollup.measures {
                        let measure_at = c.at(file, measure);
                        if target.column(aggregate_column).is_none() {
                            c.error(measure_at, format!("unknown column `{aggregate_column}` in aggregate table `{}`", target.name()));
                        }
                        let measure = measure.get_ref();
                        match (measure.op, &measure.column) {
                            (MeasureOp::Sum, None) => c.error(measure_at, "op = \"sum\" needs a column".into()),
                            (_, Some(column)) if table.column(column).is_none() => {
                                c.error(measure_at, format!("unknown column `{column}` in table `{}`", table.name()))
                            }
                            _ => {}
                        }
                    }
                    let declared: BTreeSet<&str> = rollup.group.keys().chain(rollup.measures.keys()).map(String::as_str).collect();
                    if rollup.group.is_empty() || rollup.measures.is_empty() {
                        c.error(rollup_at, "a rollup needs at least one group column and one measure".into());
                    }
                    for key in target.key_columns() {
                        if !declared.contains(key) {
                            c.error(rollup_at, format!("rollup does not fill key column `{key}` of `{}`", target.name()));
                        }
                    }
                }
            }
        }
        (_, Some(rollup)) => c.warning(
            c.at(file, rollup),
            "a rollup section is only used with then = \"rollup\"".into(),
        ),
        _ => {}
    }
    if retention.then == RetentionAction::Anonymise
        && !table.personal_columns().any(|(_, s)| s.mask.is_some())
    {
        c.error(
            at,
            format!(
                "then = \"anonymise\" but no column of `{}` declares a mask",
                table.name()
            ),
        );
    }
}

/// A table with personal data that no identity leads to can never be found for a subject.
fn reachability(c: &mut Checker, source_def: &super::SourceDef, tables: &BTreeMap<&str, &Table>) {
    let mut reachable: BTreeSet<&str> = tables
        .values()
        .filter(|t| t.identity_columns().next().is_some())
        .map(|t| t.name())
        .collect();
    loop {
        let before = reachable.len();
        for table in tables.values() {
            if table
                .relation
                .iter()
                .any(|r| reachable.contains(r.get_ref().references.get_ref().as_str()))
            {
                reachable.insert(table.name());
            }
        }
        if reachable.len() == before {
            break;
        }
    }
    for table_def in &source_def.tables {
        let table = &table_def.table;
        if !table.aggregate && table.has_personal_data() && !reachable.contains(table.name()) {
            c.warning(
                c.at(table_def.file, &table.name),
                format!("table `{}` holds personal data but no identity column or relation leads to it: access and erasure will never find its rows", table.name()),
            );
        }
    }
}

fn providers(c: &mut Checker) {
    let mut seen = BTreeSet::new();
    for (file, provider) in &c.policy.providers {
        let file = *file;
        let whole = c.at(file, provider);
        let provider = provider.get_ref();
        c.id(file, &provider.id, "provider");
        if !seen.insert(provider.id.get_ref().clone()) {
            c.error(
                c.at(file, &provider.id),
                format!("duplicate provider `{}`", provider.id.get_ref()),
            );
        }
        for category in &provider.categories {
            c.category(c.at(file, category), category.get_ref());
        }
        c.purpose_refs(file, &provider.purposes);
        let has_api =
            provider.access.is_some() || provider.erase.is_some() || provider.update.is_some();
        if has_api && provider.base_url_env.is_none() {
            c.error(
                whole,
                format!(
                    "provider `{}` declares HTTP requests but no base_url_env",
                    provider.id.get_ref()
                ),
            );
        }
        if let Some(env) = &provider.base_url_env {
            if !is_env_name(env.get_ref()) {
                c.error(
                    c.at(file, env),
                    format!(
                        "base_url_env `{}` is not an environment variable name",
                        env.get_ref()
                    ),
                );
            }
        }
        if let Some(auth) = &provider.auth {
            if !is_env_name(&auth.env) {
                c.error(
                    whole,
                    format!(
                        "auth env `{}` is not an environment variable name",
                        auth.env
                    ),
                );
            }
        }
        if provider.erase.is_none() && provider.manual.is_none() {
            c.warning(whole, format!("provider `{}` has no erase request and no manual instruction: erasure cannot reach it (Art. 19)", provider.id.get_ref()));
        }
        let requests = [
            (&provider.access, false),
            (&provider.erase, false),
            (&provider.update, true),
        ];
        for (request, update) in requests
            .into_iter()
            .filter_map(|(request, update)| request.as_ref().map(|r| (r, update)))
        {
            let at = c.at(file, request);
            let request = request.get_ref();
            if !matches!(
                request.method.as_str(),
                "GET" | "POST" | "PUT" | "PATCH" | "DELETE"
            ) {
                c.error(at, format!("unknown HTTP method `{}`", request.method));
            }
            if !request.path.starts_with('/') {
                c.error(
                    at,
                    format!(
                        "path `{}` must start with `/` (it follows the base URL)",
                        request.path
                    ),
                );
            }
            if let Some(size) = request.batch {
                let placeholders = crate::sources::http::request_placeholders(request);
                let mut in_url = vec![request.path.clone()];
                in_url.extend(request.query.values().cloned());
                let alone = request.body.as_ref().is_some_and(|body| {
                    let mut strings = Vec::new();
                    crate::template::json_strings(body, &mut strings);
                    strings.iter().any(|s| {
                        crate::template::placeholders(s).is_ok_and(|p| p.len() == 1)
                            && s.starts_with('{')
                            && s.ends_with('}')
                    })
                });
                if !(1..=1000).contains(&size) {
                    c.error(
                        at,
                        format!("batch = {size}: between 1 and 1000 values per call"),
                    );
                } else if placeholders.len() != 1
                    || in_url.iter().any(|t| t.contains('{') && !t.contains("{{"))
                    || !alone
                {
                    c.error(
                        at,
                        "a batched request has one placeholder, written alone as a string of its body (emails = \"{identity.email}\"), and none in its path or query".to_string(),
                    );
                }
            }
            let mut texts: Vec<String> = vec![request.path.clone()];
            texts.extend(request.query.values().cloned());
            if let Some(body) = &request.body {
                // Placeholders live in the body's strings (keys and values), not in its
                // JSON punctuation.
                crate::template::json_strings(body, &mut texts);
            }
            for text in texts {
                match crate::template::placeholders(&text) {
                    Err(error) => c.error(at, error.to_string()),
                    Ok(placeholders) => {
                        for placeholder in placeholders {
                            if let Err(message) = check_placeholder(&placeholder, c.policy) {
                                c.error(at, message);
                            } else if let (Placeholder::New(_), false) = (&placeholder, update) {
                                c.error(
                                    at,
                                    format!("placeholder {placeholder}: corrected values exist only in an `update` request"),
                                );
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A placeholder must name a declared identity kind, a declared column or a category of
/// the taxonomy.
fn check_placeholder(placeholder: &Placeholder, policy: &Policy) -> Result<(), String> {
    match placeholder {
        Placeholder::New(category) => {
            if crate::policy::taxonomy::is_known(category) {
                Ok(())
            } else {
                Err(format!(
                    "placeholder {{new.{category}}}: unknown data category `{category}`"
                ))
            }
        }
        Placeholder::Identity(kind) => match policy.identity_kind(kind) {
            Some(_) => Ok(()),
            // Declared in a file that did not load: its own error says so.
            None if policy.unread.identity_kinds.contains(kind) => Ok(()),
            None => Err(format!(
                "placeholder {{identity.{kind}}}: unknown identity kind `{kind}`"
            )),
        },
        Placeholder::Column {
            source,
            table,
            column,
        } => {
            let found = policy
                .source(source)
                .and_then(|s| s.table(table))
                .and_then(|t| t.column(column));
            match found {
                Some(_) => Ok(()),
                None => Err(format!(
                    "placeholder {{{source}.{table}.{column}}}: unknown column `{column}` of table `{table}` in source `{source}`"
                )),
            }
        }
    }
}

fn is_env_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_uppercase() || c == '_')
        && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}
