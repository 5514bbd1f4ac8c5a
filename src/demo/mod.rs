//! The demo workspace: the example policies, two synthetic databases of the seed platform
//! (a CRM and a messaging service, with people, invoices, conversations and logs dated
//! from the command's time), and a state store with the first audit entries.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use sqlx::{QueryBuilder, Sqlite, SqlitePool};

use crate::audit::{self, NewEntry};
use crate::fsutil;
use crate::store::Store;

/// The example policy set, compiled in so the binary can lay it out anywhere.
pub const POLICY_FILES: &[(&str, &str)] = &[
    (
        "controller.toml",
        include_str!("../../policies/controller.toml"),
    ),
    (
        "purposes.toml",
        include_str!("../../policies/purposes.toml"),
    ),
    (
        "providers.toml",
        include_str!("../../policies/providers.toml"),
    ),
    (
        "sources/crm.toml",
        include_str!("../../policies/sources/crm.toml"),
    ),
    (
        "sources/messaging.toml",
        include_str!("../../policies/sources/messaging.toml"),
    ),
];

const CRM_SCHEMA: &str = include_str!("crm.sql");
const MESSAGING_SCHEMA: &str = include_str!("messaging.sql");

/// The folders of a demo workspace.
pub struct Workspace {
    pub dir: PathBuf,
    pub policy_dir: PathBuf,
    pub data_dir: PathBuf,
    pub state_dir: PathBuf,
}

impl Workspace {
    pub fn at(dir: &Path) -> Workspace {
        let dir = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
        Workspace {
            policy_dir: dir.join("policies"),
            data_dir: dir.join("data"),
            state_dir: dir.join(".privops"),
            dir,
        }
    }

    pub fn exists(&self) -> bool {
        self.policy_dir.exists() || self.data_dir.exists()
    }

    /// Lays the workspace out (replacing one that is there), generates the databases at
    /// `now`, and creates the state store and subject key.
    pub async fn create(&self, now: DateTime<Utc>, actor: &str) -> Result<()> {
        for path in [&self.policy_dir, &self.data_dir, &self.state_dir] {
            if path.exists() {
                std::fs::remove_dir_all(path)
                    .with_context(|| format!("cannot remove {}", path.display()))?;
            }
        }
        for (name, text) in POLICY_FILES {
            let path = self.policy_dir.join(name);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)
                    .with_context(|| format!("cannot create {}", parent.display()))?;
            }
            std::fs::write(&path, text)
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        fsutil::create_private_dir(&self.data_dir)?;
        let counts = generate(&self.data_dir, now).await?;
        let policy = crate::policy::Policy::load_valid(&self.policy_dir)?;
        let store = Store::open(None, &self.state_dir).await?;
        crate::subject::SubjectKey::create_if_missing(&self.state_dir.join("subject.key"))?;
        let mut tx = store.begin_write().await?;
        audit::record_policy_version(&mut tx, actor, &policy.digest).await?;
        audit::append(
            &mut tx,
            actor,
            &[NewEntry::new("demo.create", json!({ "rows": counts }))],
        )
        .await?;
        tx.commit().await?;
        store.pool.close().await;
        Ok(())
    }

    /// A few people of the CRM, as subjects (`email:…`), to try commands with.
    pub async fn sample_subjects(&self) -> Result<Vec<String>> {
        sample_subjects(&self.data_dir.join("crm.db")).await
    }
}

async fn open_new(path: &Path) -> Result<SqlitePool> {
    fsutil::touch_private(path)?;
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .foreign_keys(true)
        // As on every connection privops writes personal data through: space a row
        // leaves behind (a delete, a page split) is zeroed, not left readable.
        .pragma("secure_delete", "ON");
    Ok(SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await?)
}

/// A value in a generated row.
enum Cell {
    Int(i64),
    Text(String),
    Null,
}

impl From<i64> for Cell {
    fn from(v: i64) -> Cell {
        Cell::Int(v)
    }
}
impl From<String> for Cell {
    fn from(v: String) -> Cell {
        Cell::Text(v)
    }
}
impl From<&str> for Cell {
    fn from(v: &str) -> Cell {
        Cell::Text(v.to_string())
    }
}
impl From<Option<String>> for Cell {
    fn from(v: Option<String>) -> Cell {
        v.map_or(Cell::Null, Cell::Text)
    }
}

/// Multi-row inserts, chunked under SQLite's bound-parameter limit.
async fn insert(
    pool: &SqlitePool,
    table: &str,
    columns: &[&str],
    rows: Vec<Vec<Cell>>,
) -> Result<i64> {
    let count = rows.len() as i64;
    let per_chunk = (30_000 / columns.len()).max(1);
    let mut tx = pool.begin().await?;
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<Vec<Cell>> = rows.by_ref().take(per_chunk).collect();
        let mut builder: QueryBuilder<Sqlite> =
            QueryBuilder::new(format!("INSERT INTO {table} ({}) ", columns.join(", ")));
        builder.push_values(chunk, |mut b, row| {
            for cell in row {
                match cell {
                    Cell::Int(v) => b.push_bind(v),
                    Cell::Text(v) => b.push_bind(v),
                    Cell::Null => b.push_bind(None::<String>),
                };
            }
        });
        builder.build().execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(count)
}

const FIRST: &[&str] = &[
    "Noa", "Yael", "Tamar", "Maya", "Shira", "Adi", "Lior", "Dana", "Eitan", "Omer", "Itai",
    "Yonatan", "Amit", "Daniel", "Ariel", "Avi", "Anna", "Lukas", "Sofia", "Marco", "Elena",
    "Jonas", "Clara", "Mateo", "Léa", "Hugo", "Zoë", "Björn", "Inès", "Ørjan",
];
const LAST: &[&str] = &[
    "Cohen", "Levi", "Mizrahi", "Peretz", "Biton", "Dahan", "Avraham", "Friedman", "Katz",
    "Azoulay", "Müller", "Schmidt", "Rossi", "García", "Dubois", "Novak", "Jensen", "O'Brien",
    "Silva", "Nowak",
];
const COMPANIES: &[&str] = &[
    "Negev Solar",
    "Haifa Robotics",
    "Galil Foods",
    "Tel Aviv Legal",
    "Jaffa Design",
    "Eilat Travel",
    "Carmel Health",
    "Berlin Bikes",
    "Lyon Textiles",
    "Milano Moda",
];
const FEATURES: &[&str] = &[
    "whatsapp_reply",
    "lead_scoring",
    "meeting_booking",
    "email_draft",
    "voice_transcription",
    "invoice_reminder",
];
/// The platform's client accounts: name, contact, plan.
const ACCOUNTS: &[(&str, &str, &str)] = &[
    ("Negev Solar Ltd", "office@negev-solar.example", "business"),
    ("Haifa Robotics", "admin@haifa-robotics.example", "starter"),
    ("Carmel Health", "it@carmel-health.example", "enterprise"),
];
const AGENTS: &[&str] = &["AVA", "ATLAS", "SAGE", "FELIX", "SCOUT", "NOVA"];

struct Person {
    name: String,
    email: String,
    phone: String,
    company: String,
}

fn ts(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn ago(rng: &mut StdRng, now: DateTime<Utc>, max_days: i64) -> DateTime<Utc> {
    now - Duration::seconds(rng.gen_range(60..max_days.max(1) * 86_400))
}

fn person(rng: &mut StdRng, n: usize) -> Person {
    let first = FIRST[rng.gen_range(0..FIRST.len())];
    let last = LAST[rng.gen_range(0..LAST.len())];
    let ascii = |s: &str| -> String {
        s.chars()
            .filter_map(|c| match c {
                'é' | 'è' => Some('e'),
                'ë' => Some('e'),
                'ü' => Some('u'),
                'ö' | 'ø' | 'Ø' => Some('o'),
                'í' => Some('i'),
                c if c.is_ascii_alphabetic() => Some(c.to_ascii_lowercase()),
                _ => None,
            })
            .collect()
    };
    // Mobile numbers in ranges that exist, so that every one can name a subject.
    let prefix = ["50", "52", "53", "54", "56", "58"][rng.gen_range(0..6)];
    let line: u32 = rng.gen_range(0..10_000_000);
    Person {
        name: format!("{first} {last}"),
        email: format!("{}.{}{n}@example.com", ascii(first), ascii(last)),
        phone: format!(
            "+972{prefix}{}{:06}",
            3 + line / 1_000_000 % 5,
            line % 1_000_000
        ),
        company: COMPANIES[rng.gen_range(0..COMPANIES.len())].to_string(),
    }
}

/// Fills both databases; returns the row count per table.
async fn generate(
    data_dir: &Path,
    now: DateTime<Utc>,
) -> Result<serde_json::Map<String, serde_json::Value>> {
    let mut rng = StdRng::seed_from_u64(20_260_323);
    let mut counts = serde_json::Map::new();
    let crm = open_new(&data_dir.join("crm.db")).await?;
    sqlx::raw_sql(CRM_SCHEMA)
        .execute(&crm)
        .await
        .context("cannot create the demo CRM schema")?;
    let messaging = open_new(&data_dir.join("messaging.db")).await?;
    sqlx::raw_sql(MESSAGING_SCHEMA)
        .execute(&messaging)
        .await
        .context("cannot create the demo messaging schema")?;

    // The platform's client accounts; every row below belongs to one of them.
    let accounts: Vec<Vec<Cell>> = ACCOUNTS
        .iter()
        .enumerate()
        .map(|(i, (name, contact, plan))| {
            vec![
                Cell::Int(i as i64 + 1),
                (*name).into(),
                (*contact).into(),
                (*plan).into(),
                ts(now - Duration::days(900 - 200 * i as i64)).into(),
            ]
        })
        .collect();
    counts.insert(
        "accounts".into(),
        insert(
            &crm,
            "accounts",
            &["id", "name", "contact_email", "plan", "created_at"],
            accounts,
        )
        .await?
        .into(),
    );
    let account_of = |n: usize| Cell::Int((n % ACCOUNTS.len()) as i64 + 1);

    // Staff accounts with their devices, Telegram links and sessions.
    let staff: Vec<Person> = (0..8)
        .map(|n| {
            let mut p = person(&mut rng, n);
            p.email = p.email.replace("@example.com", "@kalops.ai");
            p
        })
        .collect();
    let rows = staff
        .iter()
        .enumerate()
        .map(|(i, p)| {
            vec![
                Cell::Int(i as i64 + 1),
                account_of(i),
                p.email.clone().into(),
                p.name.clone().into(),
                p.phone.clone().into(),
                format!(
                    "$argon2id$v=19$m=19456,t=2,p=1${}",
                    hex::encode(rng.r#gen::<[u8; 16]>())
                )
                .into(),
                (if i == 0 { "admin" } else { "agent" }).into(),
                ts(ago(&mut rng, now, 900)).into(),
            ]
        })
        .collect();
    counts.insert(
        "users".into(),
        insert(
            &crm,
            "users",
            &[
                "id",
                "account_id",
                "email",
                "name",
                "phone",
                "password_hash",
                "role",
                "created_at",
            ],
            rows,
        )
        .await?
        .into(),
    );
    let mut push = Vec::new();
    let mut telegram = Vec::new();
    let mut sessions = Vec::new();
    for user in 1..=staff.len() as i64 {
        for _ in 0..rng.gen_range(1..3) {
            push.push(vec![
                Cell::Int(push.len() as i64 + 1),
                user.into(),
                hex::encode(rng.r#gen::<[u8; 24]>()).into(),
                ["android", "ios", "web"][rng.gen_range(0..3)].into(),
                ts(ago(&mut rng, now, 400)).into(),
            ]);
        }
        if user % 2 == 1 {
            telegram.push(vec![
                user.into(),
                format!("{}", rng.gen_range(100_000_000..999_999_999)).into(),
                ts(ago(&mut rng, now, 300)).into(),
            ]);
        }
        for _ in 0..rng.gen_range(2..8) {
            sessions.push(vec![
                Cell::Int(sessions.len() as i64 + 1),
                user.into(),
                format!(
                    "10.{}.{}.{}",
                    rng.gen_range(0..255),
                    rng.gen_range(0..255),
                    rng.gen_range(1..255)
                )
                .into(),
                "Mozilla/5.0 (X11; Linux x86_64) Chrome/140.0".into(),
                ts(ago(&mut rng, now, 90)).into(),
            ]);
        }
    }
    counts.insert(
        "push_tokens".into(),
        insert(
            &crm,
            "push_tokens",
            &["id", "user_id", "token", "platform", "created_at"],
            push,
        )
        .await?
        .into(),
    );
    counts.insert(
        "telegram_links".into(),
        insert(
            &crm,
            "telegram_links",
            &["user_id", "telegram_chat_id", "linked_at"],
            telegram,
        )
        .await?
        .into(),
    );
    counts.insert(
        "sessions".into(),
        insert(
            &crm,
            "sessions",
            &["id", "user_id", "ip_address", "user_agent", "last_activity"],
            sessions,
        )
        .await?
        .into(),
    );

    // Leads, some of whom became clients; clients without a lead; their records.
    let people: Vec<Person> = (0..320).map(|n| person(&mut rng, n)).collect();
    let mut leads = Vec::new();
    let mut clients = Vec::new();
    for (i, p) in people.iter().enumerate().take(240) {
        let lead_id = i as i64 + 1;
        leads.push(vec![
            lead_id.into(),
            account_of(i),
            p.name.clone().into(),
            p.email.clone().into(),
            (if i % 7 == 0 {
                None
            } else {
                Some(p.phone.clone())
            })
            .into(),
            p.company.clone().into(),
            ["new", "contacted", "qualified", "won", "lost"][i % 5].into(),
            ["website", "whatsapp", "referral", "event"][i % 4].into(),
            (if i % 3 == 0 {
                Some(format!("Asked about pricing for {}", p.company))
            } else {
                None
            })
            .into(),
            ts(ago(&mut rng, now, 1_100)).into(),
        ]);
        if i % 2 == 0 {
            clients.push((Some(lead_id), i));
        }
    }
    for i in 240..people.len() {
        clients.push((None, i));
    }
    counts.insert(
        "leads".into(),
        insert(
            &crm,
            "leads",
            &[
                "id",
                "account_id",
                "name",
                "email",
                "phone",
                "company",
                "status",
                "source",
                "notes",
                "created_at",
            ],
            leads,
        )
        .await?
        .into(),
    );
    let mut client_rows = Vec::new();
    let mut meetings = Vec::new();
    let mut emails = Vec::new();
    let mut invoices = Vec::new();
    let mut whatsapp = Vec::new();
    let mut transcripts = Vec::new();
    let mut conversations = Vec::new();
    let mut ai_messages = Vec::new();
    let mut tool_calls = Vec::new();
    let mut buffers = Vec::new();
    let mut logs = Vec::new();
    for (c, (lead_id, person_index)) in clients.iter().enumerate() {
        let p = &people[*person_index];
        let client_id = c as i64 + 1;
        let account = (*person_index % ACCOUNTS.len()) as i64 + 1;
        client_rows.push(vec![
            client_id.into(),
            account.into(),
            Cell::from(lead_id.map(|l| l.to_string())),
            p.name.clone().into(),
            p.email.clone().into(),
            p.phone.clone().into(),
            p.company.clone().into(),
            format!("{} Herzl St, Tel Aviv", rng.gen_range(1..200)).into(),
            ts(ago(&mut rng, now, 1_000)).into(),
        ]);
        for _ in 0..rng.gen_range(0..4) {
            let id = meetings.len() as i64 + 1;
            meetings.push(vec![
                id.into(),
                client_id.into(),
                format!("Onboarding call with {}", p.company).into(),
                format!(
                    "{}; {}",
                    p.email,
                    staff[rng.gen_range(0..staff.len())].email
                )
                .into(),
                ts(now + Duration::days(rng.gen_range(-200..30))).into(),
                format!("evt_{}", hex::encode(rng.r#gen::<[u8; 8]>())).into(),
                ts(ago(&mut rng, now, 300)).into(),
            ]);
        }
        for _ in 0..rng.gen_range(0..5) {
            emails.push(vec![
                Cell::Int(emails.len() as i64 + 1),
                client_id.into(),
                p.email.clone().into(),
                "Your proposal".into(),
                format!("Dear {},\nplease find our proposal attached.", p.name).into(),
                ts(ago(&mut rng, now, 600)).into(),
            ]);
        }
        for _ in 0..rng.gen_range(0..6) {
            let id = invoices.len() as i64 + 1;
            invoices.push(vec![
                id.into(),
                client_id.into(),
                format!("INV-{:06}", id).into(),
                p.name.clone().into(),
                format!("{} Herzl St, Tel Aviv", rng.gen_range(1..200)).into(),
                (if c % 4 == 0 {
                    Some(format!("IL{:09}", rng.gen_range(0..1_000_000_000)))
                } else {
                    None
                })
                .into(),
                Cell::Int(rng.gen_range(5_000..500_000)),
                "ILS".into(),
                ts(ago(&mut rng, now, 365 * 9)).into(),
            ]);
        }
        for _ in 0..rng.gen_range(0..10) {
            let id = whatsapp.len() as i64 + 1;
            let inbound = rng.gen_bool(0.5);
            whatsapp.push(vec![
                id.into(),
                account.into(),
                p.phone.clone().into(),
                (if inbound { "in" } else { "out" }).into(),
                (if inbound {
                    "Hi, can we move our meeting?"
                } else {
                    "Sure, Thursday 10:00 works."
                })
                .into(),
                format!("gapi-{}", hex::encode(rng.r#gen::<[u8; 6]>())).into(),
                ts(ago(&mut rng, now, 500)).into(),
            ]);
            if inbound && rng.gen_bool(0.3) {
                transcripts.push(vec![
                    Cell::Int(transcripts.len() as i64 + 1),
                    id.into(),
                    "Hi, this is a voice note about the invoice.".into(),
                    Cell::Int(rng.gen_range(3..90)),
                    ts(ago(&mut rng, now, 500)).into(),
                ]);
            }
        }
        for _ in 0..rng.gen_range(0..3) {
            let conversation_id = conversations.len() as i64 + 1;
            conversations.push(vec![
                conversation_id.into(),
                account.into(),
                p.email.clone().into(),
                AGENTS[rng.gen_range(0..AGENTS.len())].into(),
                ts(ago(&mut rng, now, 400)).into(),
            ]);
            for turn in 0..rng.gen_range(2..6) {
                ai_messages.push(vec![
                    Cell::Int(ai_messages.len() as i64 + 1),
                    conversation_id.into(),
                    (if turn % 2 == 0 { "user" } else { "assistant" }).into(),
                    (if turn % 2 == 0 {
                        format!("Summarise my open deals, I am {}", p.name)
                    } else {
                        "Here is the summary of your open deals.".to_string()
                    })
                    .into(),
                    ts(ago(&mut rng, now, 400)).into(),
                ]);
            }
            for _ in 0..rng.gen_range(0..3) {
                tool_calls.push(vec![
                    Cell::Int(tool_calls.len() as i64 + 1),
                    conversation_id.into(),
                    ["crm.search", "calendar.book", "whatsapp.send"][rng.gen_range(0..3)].into(),
                    json!({ "email": p.email }).to_string().into(),
                    ts(ago(&mut rng, now, 400)).into(),
                ]);
            }
        }
        for _ in 0..rng.gen_range(0..3) {
            buffers.push(vec![
                Cell::Int(buffers.len() as i64 + 1),
                account.into(),
                p.phone.clone().into(),
                "partial message being composed".into(),
                ts(now - Duration::minutes(rng.gen_range(5..4 * 24 * 60))).into(),
            ]);
        }
        for _ in 0..rng.gen_range(0..20) {
            logs.push(vec![
                Cell::Int(logs.len() as i64 + 1),
                account.into(),
                p.email.clone().into(),
                FEATURES[rng.gen_range(0..FEATURES.len())].into(),
                AGENTS[rng.gen_range(0..AGENTS.len())].into(),
                (if rng.gen_bool(0.95) { "ok" } else { "error" }).into(),
                Cell::Int(rng.gen_range(50..5_000)),
                ts(ago(&mut rng, now, 180)).into(),
            ]);
        }
    }
    counts.insert(
        "clients".into(),
        insert(
            &crm,
            "clients",
            &[
                "id",
                "account_id",
                "lead_id",
                "name",
                "email",
                "phone",
                "company",
                "address",
                "created_at",
            ],
            client_rows,
        )
        .await?
        .into(),
    );
    counts.insert(
        "meetings".into(),
        insert(
            &crm,
            "meetings",
            &[
                "id",
                "client_id",
                "title",
                "attendees",
                "starts_at",
                "calendar_event_id",
                "created_at",
            ],
            meetings,
        )
        .await?
        .into(),
    );
    counts.insert(
        "email_records".into(),
        insert(
            &crm,
            "email_records",
            &[
                "id",
                "client_id",
                "to_address",
                "subject",
                "body",
                "sent_at",
            ],
            emails,
        )
        .await?
        .into(),
    );
    counts.insert(
        "invoices".into(),
        insert(
            &crm,
            "invoices",
            &[
                "id",
                "client_id",
                "number",
                "billing_name",
                "billing_address",
                "vat_id",
                "amount_cents",
                "currency",
                "issued_at",
            ],
            invoices,
        )
        .await?
        .into(),
    );
    counts.insert(
        "whatsapp_messages".into(),
        insert(
            &messaging,
            "whatsapp_messages",
            &[
                "id",
                "account_id",
                "phone",
                "direction",
                "body",
                "provider_message_id",
                "sent_at",
            ],
            whatsapp,
        )
        .await?
        .into(),
    );
    counts.insert(
        "voice_transcripts".into(),
        insert(
            &messaging,
            "voice_transcripts",
            &["id", "message_id", "transcript", "duration_s", "created_at"],
            transcripts,
        )
        .await?
        .into(),
    );
    counts.insert(
        "ai_conversations".into(),
        insert(
            &messaging,
            "ai_conversations",
            &["id", "account_id", "contact_email", "agent", "started_at"],
            conversations,
        )
        .await?
        .into(),
    );
    counts.insert(
        "ai_messages".into(),
        insert(
            &messaging,
            "ai_messages",
            &["id", "conversation_id", "role", "content", "created_at"],
            ai_messages,
        )
        .await?
        .into(),
    );
    counts.insert(
        "ai_tool_calls".into(),
        insert(
            &messaging,
            "ai_tool_calls",
            &["id", "conversation_id", "tool", "parameters", "created_at"],
            tool_calls,
        )
        .await?
        .into(),
    );
    counts.insert(
        "chat_buffers".into(),
        insert(
            &messaging,
            "chat_buffers",
            &["id", "account_id", "phone", "content", "created_at"],
            buffers,
        )
        .await?
        .into(),
    );
    counts.insert(
        "execution_logs".into(),
        insert(
            &messaging,
            "execution_logs",
            &[
                "id",
                "account_id",
                "client_email",
                "feature",
                "agent",
                "status",
                "duration_ms",
                "executed_at",
            ],
            logs,
        )
        .await?
        .into(),
    );
    // Aggregates already rolled up from earlier periods.
    let mut metrics = Vec::new();
    for day in 200..230 {
        for feature in FEATURES {
            let executions = rng.gen_range(1..60);
            metrics.push(vec![
                (now - Duration::days(day))
                    .format("%Y-%m-%d")
                    .to_string()
                    .into(),
                (*feature).into(),
                Cell::Int(executions),
                Cell::Int(executions * rng.gen_range(100..3_000)),
            ]);
        }
    }
    counts.insert(
        "usage_metrics_daily".into(),
        insert(
            &messaging,
            "usage_metrics_daily",
            &["day", "feature", "executions", "total_duration_ms"],
            metrics,
        )
        .await?
        .into(),
    );
    crm.close().await;
    messaging.close().await;
    Ok(counts)
}

/// A few subjects with data in several tables, for the printed hints.
async fn sample_subjects(crm_path: &Path) -> Result<Vec<String>> {
    let options = SqliteConnectOptions::new()
        .filename(crm_path)
        .read_only(true);
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await?;
    let emails: Vec<(String,)> = sqlx::query_as(
        "SELECT c.email FROM clients c JOIN invoices i ON i.client_id = c.id \
         JOIN meetings m ON m.client_id = c.id WHERE c.lead_id IS NOT NULL \
         GROUP BY c.id ORDER BY c.id LIMIT 3",
    )
    .fetch_all(&pool)
    .await?;
    let phone: Option<(String,)> =
        sqlx::query_as("SELECT phone FROM clients WHERE phone IS NOT NULL ORDER BY id LIMIT 1")
            .fetch_optional(&pool)
            .await?;
    pool.close().await;
    let mut samples: Vec<String> = emails
        .into_iter()
        .map(|(e,)| format!("email:{e}"))
        .collect();
    samples.extend(phone.map(|(p,)| format!("phone:{p}")));
    Ok(samples)
}
