//! The output layer: data to stdout, status and errors to stderr, colour and progress
//! bars only on a terminal. The only place that prints.
#![allow(clippy::disallowed_macros)]

use std::io::IsTerminal;

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{ContentArrangement, Table};
use serde::Serialize;

/// A JSON value as text for tables and CSV cells: strings bare, null empty.
pub fn plain(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Tables and sentences for people.
    Human,
    /// JSON for scripts.
    Json,
    /// Markdown (reports and maps).
    Md,
    /// CSV (reports and maps).
    Csv,
    /// One self-contained HTML page (reports).
    Html,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone)]
pub struct Output {
    pub format: Format,
    pub quiet: bool,
    pub verbose: bool,
    color: bool,
    stderr_tty: bool,
}

impl Output {
    pub fn new(format: Format, color: ColorChoice, quiet: bool, verbose: bool) -> Output {
        let stderr_tty = std::io::stderr().is_terminal();
        let color = match color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::io::stdout().is_terminal()
            }
        };
        Output {
            format,
            quiet,
            verbose,
            color,
            stderr_tty,
        }
    }

    pub fn json_mode(&self) -> bool {
        self.format == Format::Json
    }

    /// Data: always printed, whatever `--quiet` says.
    pub fn data(&self, text: &str) {
        if text.ends_with('\n') {
            write_data(text);
        } else {
            write_data(&format!("{text}\n"));
        }
    }

    pub fn json<T: Serialize>(&self, value: &T) {
        let text = serde_json::to_string_pretty(value).expect("values serialise");
        write_data(&format!("{text}\n"));
    }

    /// One JSON value on one line (streams of verdicts).
    pub fn json_line<T: Serialize>(&self, value: &T) {
        let text = serde_json::to_string(value).expect("values serialise");
        write_data(&format!("{text}\n"));
    }

    /// Status for people, on stderr; silenced by `--quiet`.
    pub fn status(&self, text: &str) {
        if !self.quiet {
            write_status(text);
        }
    }

    pub fn detail(&self, text: &str) {
        if self.verbose && !self.quiet {
            write_status(text);
        }
    }

    pub fn warn(&self, text: &str) {
        write_status(&format!("{}: {text}", self.paint("warning", "33")));
    }

    pub fn error(&self, text: &str) {
        let stderr_color = self.color && self.stderr_tty;
        let label = if stderr_color {
            "\x1b[1;31merror\x1b[0m"
        } else {
            "error"
        };
        write_status(&format!("{label}: {text}"));
    }

    /// Wraps text in an ANSI colour when colour is on for stdout.
    pub fn paint(&self, text: &str, code: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    pub fn table(&self, header: &[&str]) -> Table {
        let mut table = Table::new();
        table
            .load_preset(UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_header(header.to_vec());
        if !self.color {
            table.force_no_tty();
        }
        table
    }

    pub fn print_table(&self, table: &Table) {
        write_data(&format!("{table}\n"));
    }

    /// Whether progress bars are shown (a terminal, not --quiet).
    pub fn shows_progress(&self) -> bool {
        !self.quiet && self.stderr_tty
    }

    /// A progress bar on a terminal, hidden elsewhere (cron, CI, pipes) and under `--quiet`.
    pub fn progress(&self, total: u64, what: &str) -> indicatif::ProgressBar {
        if self.quiet || !self.stderr_tty {
            return indicatif::ProgressBar::hidden();
        }
        let bar = indicatif::ProgressBar::new(total);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} ({per_sec})")
                .expect("valid template")
                .progress_chars("=> "),
        );
        bar.set_message(what.to_string());
        bar
    }
}

/// Writes data to stdout. A reader that went away (`privops audit log | head`) wants no
/// more: the command ends there, quietly and successfully, as ripgrep and git do, instead
/// of panicking on the closed pipe.
fn write_data(text: &str) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    if let Err(error) = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        if error.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
    }
}

/// Writes a line to stderr; a closed stderr is no reason to stop the work.
fn write_status(text: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "{text}");
}
