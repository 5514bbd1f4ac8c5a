//! What `--help` and the man pages teach beyond the clap definitions: two or three
//! examples per command, and the sections every man page carries (exit status,
//! environment, files). One table feeds both, so they never disagree.

use std::io::Write;

/// Examples per command path (`"consent grant"`); the root is `""`.
const EXAMPLES: &[(&str, &[&str])] = &[
    (
        "",
        &[
            "privops demo && cd privops-demo             # a workspace to try things in",
            "privops erase --subject email:dana@example.com --dry-run",
            "privops retention sweep --format json       # from cron",
        ],
    ),
    (
        "demo",
        &[
            "privops demo                     # ./privops-demo",
            "privops demo --dir /tmp/try --force",
        ],
    ),
    (
        "init",
        &[
            "privops init                     # in a folder holding policies/",
            "privops init --state postgres://privops@db.internal/privops",
        ],
    ),
    (
        "policy",
        &[
            "privops policy check --live",
            "privops policy map --format md --out ropa.md",
        ],
    ),
    (
        "policy check",
        &[
            "privops policy check",
            "privops policy check --live --format json   # CI: exit 3 on drift",
        ],
    ),
    (
        "policy map",
        &[
            "privops policy map",
            "privops policy map --format md --out ropa.md",
            "privops policy map --format csv --out ropa.csv",
        ],
    ),
    (
        "scan",
        &[
            "privops scan                                  # exit 3 on identifiers where none are declared",
            "privops scan --source crm --table execution_logs --sample 100000",
            "privops scan --format json --max-duration 10m # from CI",
        ],
    ),
    (
        "policy init",
        &[
            "privops policy init --from-live CRM_DATABASE_URL --out policies",
            "privops policy init --from-live SHOP_URL --out draft --source-id shop --sample 5000",
        ],
    ),
    (
        "policy import",
        &[
            "privops policy import --fides postgres_example_test_dataset.yml --out policies",
            "privops policy import --fides shop.yml --out draft --engine mysql --url-env SHOP_URL",
        ],
    ),
    (
        "purpose",
        &["privops purpose list", "privops purpose show newsletter"],
    ),
    (
        "purpose list",
        &["privops purpose list", "privops purpose list --format json"],
    ),
    (
        "purpose show",
        &[
            "privops purpose show newsletter",
            "privops purpose show marketing --format json",
        ],
    ),
    (
        "consent",
        &[
            "privops consent grant --subject email:dana@example.com --purpose newsletter --channel web",
            "privops consent check --subject email:dana@example.com --purpose newsletter",
        ],
    ),
    (
        "consent grant",
        &[
            "privops consent grant --subject email:dana@example.com --purpose newsletter --channel web",
            "privops consent grant --subject phone:+972501234567 --purpose marketing \\\n    --channel phone --evidence \"call 2026-11-30, agent 14\"",
        ],
    ),
    (
        "consent withdraw",
        &[
            "privops consent withdraw --subject email:dana@example.com --purpose newsletter",
            "privops consent withdraw --subject phone:+972501234567 --purpose marketing --channel phone",
        ],
    ),
    (
        "consent check",
        &[
            "privops consent check --subject email:dana@example.com --purpose newsletter",
            "privops consent check --purpose newsletter --batch subjects.txt --format json",
        ],
    ),
    (
        "consent history",
        &[
            "privops consent history --subject email:dana@example.com",
            "privops consent history --subject email:dana@example.com --purpose newsletter",
        ],
    ),
    (
        "consent export",
        &[
            "privops consent export --out consents.csv",
            "privops consent export --purpose newsletter --as-of 2026-06-30 --out june.csv",
        ],
    ),
    (
        "consent import",
        &[
            "privops consent import consents.csv",
            "privops consent import old-crm.csv --format json",
        ],
    ),
    (
        "object",
        &[
            "privops object --subject email:dana@example.com --purpose analytics",
            "privops object --subject email:dana@example.com --purpose marketing --request REQ-000004",
            "privops object --subject email:dana@example.com --purpose analytics --lift --ground compelling-grounds",
        ],
    ),
    (
        "restrict",
        &[
            "privops restrict --subject email:dana@example.com --ground accuracy",
            "privops restrict --subject email:dana@example.com --lift   # tell them first (Art. 18(3))",
        ],
    ),
    (
        "processing",
        &[
            "privops processing check --subject email:dana@example.com --purpose analytics",
            "privops processing check --purpose marketing --batch subjects.txt",
        ],
    ),
    (
        "processing check",
        &[
            "privops processing check --subject email:dana@example.com --purpose analytics",
            "privops processing check --purpose marketing --batch subjects.txt --format json",
        ],
    ),
    (
        "notice",
        &[
            "privops notice publish --title \"Privacy policy, December 2026\" --file notice.md",
            "privops notice pending --format csv > to-tell.csv",
        ],
    ),
    (
        "notice publish",
        &[
            "privops notice publish --title \"Privacy policy, December 2026\" --file notice.md",
            "privops notice list",
        ],
    ),
    (
        "notice ack",
        &[
            "privops notice ack --subject email:dana@example.com",
            "privops notice ack --subject email:dana@example.com --notice-version 2 --at 2026-12-03",
        ],
    ),
    (
        "notice pending",
        &[
            "privops notice pending",
            "privops notice pending --format csv > to-tell.csv",
            "privops notice pending --purpose marketing   # consent on an older text",
        ],
    ),
    (
        "notice list",
        &["privops notice list", "privops notice list --format json"],
    ),
    (
        "rectify",
        &[
            "privops rectify --subject email:dana@example.com --set user.name=\"Dana Levi\" --dry-run",
            "privops rectify --request REQ-000007 --set user.contact.email=dana.levi@example.org --yes",
            "privops rectify --subject phone:+972501234567 --set crm.clients.address=\"12 Herzl St\"",
        ],
    ),
    (
        "request",
        &[
            "privops request open --kind erasure --subject email:dana@example.com",
            "privops request list --overdue    # exit 3 when any is overdue",
        ],
    ),
    (
        "request open",
        &[
            "privops request open --kind erasure --subject email:dana@example.com",
            "privops request open --kind access --subject phone:+972501234567 --received 2026-11-28",
        ],
    ),
    (
        "request list",
        &[
            "privops request list",
            "privops request list --due-within 7",
            "privops request list --overdue --format json",
        ],
    ),
    (
        "request show",
        &[
            "privops request show REQ-000001",
            "privops request show REQ-000001 --format json   # with its erasure tasks",
        ],
    ),
    (
        "request extend",
        &[
            "privops request extend REQ-000001 --reason \"complex: 14 systems\" --months 2",
            "privops request extend REQ-000003 --reason \"many requests this month\" --months 1",
        ],
    ),
    (
        "request close",
        &[
            "privops request close REQ-000002   # an access request answered",
            "privops request list --status open",
        ],
    ),
    (
        "request confirm-manual",
        &[
            "privops request confirm-manual REQ-000001 manual:crm-backups --note \"purged by ops, ticket 4411\"",
            "privops erase --request REQ-000001 --yes     # then finish the erasure",
        ],
    ),
    (
        "access",
        &[
            "privops access --subject email:dana@example.com --out dana.zip",
            "privops access --subject email:dana@example.com --request REQ-000002 \\\n    --recipient age1... --out dana.zip.age",
        ],
    ),
    (
        "erase",
        &[
            "privops erase --subject email:dana@example.com --dry-run",
            "privops erase --request REQ-000001 --yes",
            "privops erase --subjects-file leavers.txt --yes --format json",
        ],
    ),
    (
        "offboard",
        &[
            "privops offboard --tenant 2 --dry-run",
            "privops offboard --tenant 2 --export acme.zip --recipient age1... --yes",
            "privops archive verify .privops/certificates/OFF-....json --trusted-key audit.pub",
        ],
    ),
    (
        "retention",
        &[
            "privops retention plan",
            "privops retention sweep --max-duration 10m",
        ],
    ),
    (
        "retention plan",
        &[
            "privops retention plan",
            "privops retention plan --source crm --format json",
        ],
    ),
    (
        "retention sweep",
        &[
            "privops retention sweep --dry-run",
            "privops retention sweep --max-duration 10m --format json   # cron: exit 4 = resume later",
            "privops retention sweep --source crm --table sessions",
        ],
    ),
    (
        "audit",
        &[
            "privops audit verify",
            "privops audit report --from 2026-07-01 --to 2026-10-01 --format html --out q3.html",
        ],
    ),
    (
        "audit log",
        &[
            "privops audit log --from 2026-11-01",
            "privops audit log --action 'erase.*' --format json",
        ],
    ),
    (
        "audit verify",
        &[
            "privops audit verify",
            "privops audit verify --trusted-key auditor.pub --expect-head 3f1c...",
        ],
    ),
    (
        "audit find",
        &[
            "privops audit find --subject email:dana@example.com",
            "privops audit find --subject phone:+972501234567 --format json",
        ],
    ),
    (
        "audit report",
        &[
            "privops audit report --from 2026-07-01 --to 2026-10-01",
            "privops audit report --from 2026-01-01 --format html --out 2026.html",
        ],
    ),
    (
        "audit checkpoint",
        &[
            "privops audit checkpoint",
            "privops audit checkpoint --key /etc/privops/signing.key",
        ],
    ),
    (
        "audit export",
        &[
            "privops audit export --from 2026-07-01 --to 2026-10-01 --out q3-audit.zip",
            "privops audit export --from 2026-01-01 --recipient age1... --out 2026.zip.age",
        ],
    ),
    (
        "archive",
        &[
            "privops archive verify q3-audit.zip --trusted-key auditor.pub",
            "privops archive verify dana.zip",
        ],
    ),
    (
        "archive verify",
        &[
            "privops archive verify q3-audit.zip --trusted-key auditor.pub",
            "privops archive verify dana.zip.age --identity my-age.key",
        ],
    ),
    (
        "completions",
        &[
            "privops completions bash > ~/.local/share/bash-completion/completions/privops",
            "privops completions zsh > ~/.zfunc/_privops",
        ],
    ),
    (
        "man",
        &[
            "privops man --out /usr/local/share/man/man1",
            "privops man --out man && man ./man/privops-erase.1",
        ],
    ),
];

pub(crate) fn examples(path: &str) -> &'static [&'static str] {
    EXAMPLES
        .iter()
        .find(|(p, _)| *p == path)
        .map(|(_, e)| *e)
        .unwrap_or(&[])
}

/// Every command with its examples, recursively: `after_help` for `--help`.
pub(crate) fn with_examples(command: clap::Command) -> clap::Command {
    fn walk(command: clap::Command, path: &str) -> clap::Command {
        let mut command = command;
        let lines = examples(path);
        if !lines.is_empty() {
            let text: Vec<String> = lines.iter().map(|e| format!("  {e}")).collect();
            command = command.after_help(format!("Examples:\n{}", text.join("\n")));
        }
        let names: Vec<String> = command
            .get_subcommands()
            .map(|s| s.get_name().to_string())
            .collect();
        for name in names {
            let sub_path = if path.is_empty() {
                name.clone()
            } else {
                format!("{path} {name}")
            };
            command = command.mut_subcommand(&name, |sub| walk(sub, &sub_path));
        }
        command
    }
    walk(command, "")
}

/// The man pages: each command's page from clap, with EXAMPLES, EXIT STATUS,
/// ENVIRONMENT and FILES added.
pub(crate) fn write_man_pages(
    command: clap::Command,
    out: &std::path::Path,
) -> std::io::Result<()> {
    fn page(command: &clap::Command, path: &str, out: &std::path::Path) -> std::io::Result<()> {
        for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
            let sub_path = if path.is_empty() {
                sub.get_name().to_string()
            } else {
                format!("{path} {}", sub.get_name())
            };
            page(sub, &sub_path, out)?;
        }
        let man = clap_mangen::Man::new(command.clone());
        let mut text = Vec::new();
        man.render_title(&mut text)?;
        man.render_name_section(&mut text)?;
        man.render_synopsis_section(&mut text)?;
        man.render_description_section(&mut text)?;
        if command.get_arguments().any(|a| !a.is_hide_set()) {
            man.render_options_section(&mut text)?;
        }
        if command.has_subcommands() {
            man.render_subcommands_section(&mut text)?;
        }
        let lines = examples(path);
        if !lines.is_empty() {
            writeln!(text, ".SH EXAMPLES")?;
            for example in lines {
                writeln!(text, ".PP\n.nf\n{}\n.fi", roff_escape(example))?;
            }
        }
        text.extend_from_slice(COMMON_SECTIONS.as_bytes());
        man.render_version_section(&mut text)?;
        std::fs::write(out.join(man.get_filename()), text)
    }
    let mut command = command.disable_help_subcommand(true);
    command.build();
    page(&command, "", out)
}

/// Text for roff: backslashes doubled, dashes kept as minus signs, and a line that starts
/// with a control character (`.` or `'`) kept as text.
fn roff_escape(text: &str) -> String {
    text.lines()
        .map(|line| {
            let line = line.replace('\\', "\\e").replace('-', "\\-");
            if line.starts_with('.') || line.starts_with('\'') {
                format!("\\&{line}")
            } else {
                line
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

const COMMON_SECTIONS: &str = r#".SH "EXIT STATUS"
.TP
\fB0\fR
success
.TP
\fB1\fR
error: bad input, an unreachable database, an invalid policy
.TP
\fB2\fR
usage error
.TP
\fB3\fR
a check answered no: consent not given, verification failed, drift found, a request overdue
.TP
\fB4\fR
partial: some steps failed or are left (manual tasks, a sweep's time box); the rest is done and a re\-run resumes
.TP
\fB75\fR
another run holds the lock; the message names the holder and when its lease ends
.TP
\fB130\fR
interrupted: what was committed stays, the rest rolled back; run the command again to finish
.SH ENVIRONMENT
.TP
\fBPRIVOPS_POLICY\fR, \fBPRIVOPS_STATE\fR, \fBPRIVOPS_ACTOR\fR
defaults for \fB\-\-policy\fR, \fB\-\-state\fR and \fB\-\-actor\fR
.TP
\fBPRIVOPS_SUBJECT_KEY\fR
the key of keyed subject references, instead of \fI.privops/subject.key\fR
.TP
\fBPRIVOPS_NOW\fR
the command's time (RFC 3339 or a date), for rehearsals and tests
.TP
\fBSOURCE_DATE_EPOCH\fR
the generation time written into archives, for byte\-identical rebuilds
.TP
\fBNO_COLOR\fR, \fBCOLUMNS\fR
no colour; the width tables fit
.PP
Source URLs and provider credentials come from the variables the policy names
(\fBurl_env\fR, \fBbase_url_env\fR, \fBauth.env\fR).
.SH FILES
.TP
\fIpolicies/\fR
the policy folder, found walking up from the current directory as git finds a repository
.TP
\fI.privops/state.db\fR
the state store beside it (consent ledger, requests, erasure journal, audit trail), mode 0600
.TP
\fI.privops/subject.key\fR, \fI.privops/audit\-signing.key\fR
the key of subject references and the key that signs audit checkpoints, mode 0600
"#;

#[cfg(test)]
mod tests {
    /// A shell line split into words: double and single quotes group, a backslash at the
    /// end of a line continues it; the line ends at `#`, `&&`, `|` or `>`.
    fn words(example: &str) -> Vec<String> {
        let text = example.replace("\\\n", " ");
        let mut words = Vec::new();
        let mut word = String::new();
        let mut quote: Option<char> = None;
        let mut started = false;
        for c in text.chars() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), c) => word.push(c),
                (None, '"' | '\'') => {
                    quote = Some(c);
                    started = true;
                }
                (None, c) if c.is_whitespace() => {
                    if started || !word.is_empty() {
                        words.push(std::mem::take(&mut word));
                        started = false;
                    }
                }
                (None, c) => word.push(c),
            }
        }
        if started || !word.is_empty() {
            words.push(word);
        }
        words
            .into_iter()
            .take_while(|w| !w.starts_with('#') && w != "&&" && w != "|" && w != ">")
            .collect()
    }

    #[test]
    fn every_example_parses() {
        for (path, examples) in super::EXAMPLES {
            for example in *examples {
                let args = words(example);
                assert_eq!(args[0], "privops", "{example}");
                let parsed = crate::cli::command().try_get_matches_from(&args);
                assert!(
                    parsed.is_ok(),
                    "`{path}`: {example}: {}",
                    parsed.unwrap_err()
                );
            }
        }
    }

    #[test]
    fn every_command_has_examples() {
        fn walk(command: &clap::Command, path: &str, missing: &mut Vec<String>) {
            if super::examples(path).len() < 2 {
                missing.push(path.to_string());
            }
            for sub in command.get_subcommands().filter(|s| s.get_name() != "help") {
                let sub_path = if path.is_empty() {
                    sub.get_name().to_string()
                } else {
                    format!("{path} {}", sub.get_name())
                };
                walk(sub, &sub_path, missing);
            }
        }
        let mut missing = Vec::new();
        walk(&crate::cli::command(), "", &mut missing);
        assert!(
            missing.is_empty(),
            "commands with fewer than two examples: {missing:?}"
        );
    }
}
