//! The output layer: data to stdout, status and errors to stderr, colour and progress
//! bars only on a terminal. The only place that prints.
#![allow(clippy::disallowed_macros)]

use std::io::IsTerminal;

use serde::Serialize;

mod table;
pub use table::{Table, display_width};

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
    /// The room tables have: `COLUMNS`, else the terminal's width; none on a pipe.
    width: Option<usize>,
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
        let width = std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.trim().parse::<usize>().ok())
            .filter(|&c| c >= 20)
            .or_else(|| {
                std::io::stdout()
                    .is_terminal()
                    .then(|| terminal_size::terminal_size().map(|(w, _)| usize::from(w.0)))
                    .flatten()
            });
        Output {
            format,
            quiet,
            verbose,
            color,
            stderr_tty,
            width,
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

    /// A line of detail for people, wrapped between words to the table width (continued
    /// lines indented by two); a word longer than the width stays whole.
    pub fn data_wrapped(&self, text: &str) {
        self.data_wrapped_at(text, 2);
    }

    /// Lines wrapped as [`Output::data_wrapped`], continued lines indented by `indent`
    /// (`label:   value` lines keep their values in one column). Each line of `text` is
    /// wrapped on its own and keeps its own leading spaces.
    pub fn data_wrapped_at(&self, text: &str, indent: usize) {
        let Some(width) = self.width else {
            return self.data(text);
        };
        let mut lines: Vec<String> = Vec::new();
        for source in text.lines() {
            if display_width(source) <= width {
                lines.push(source.to_string());
                continue;
            }
            let lead = source.len() - source.trim_start().len();
            // `label:   value`: the label and its spaces stay as written.
            let (mut line, rest) = match source.get(..indent) {
                Some(head) if lead == 0 && head.ends_with(' ') => {
                    (head.to_string(), &source[indent..])
                }
                _ => (" ".repeat(lead), source),
            };
            let mut empty = true;
            for word in rest.split_whitespace() {
                if !empty && display_width(&line) + 1 + display_width(word) > width {
                    let hang = if lead > 0 {
                        lead.max(indent.min(lead + 2))
                    } else {
                        indent
                    };
                    lines.push(std::mem::replace(&mut line, " ".repeat(hang)));
                    empty = true;
                }
                if !empty {
                    line.push(' ');
                }
                line.push_str(word);
                empty = false;
            }
            lines.push(line);
        }
        self.data(&lines.join("\n"));
    }

    pub fn json<T: Serialize>(&self, value: &T) {
        let text = serde_json::to_string_pretty(value).expect("values serialise");
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

    /// A table that fits the terminal (or `COLUMNS`), shortening cells rather than
    /// wrapping them.
    pub fn table(&self, header: &[&str]) -> Table {
        Table::new(header, self.width, self.color)
    }

    pub fn print_table(&self, table: &Table) {
        write_data(&table.to_string());
    }

    /// Whether progress bars are shown (a terminal, not --quiet).
    pub fn shows_progress(&self) -> bool {
        !self.quiet && self.stderr_tty
    }

    /// A progress bar on a terminal, hidden elsewhere (cron, CI, pipes) and under `--quiet`:
    /// done and total with thousands separators, a whole-number rate and the time left.
    pub fn progress(&self, total: u64, what: &str) -> indicatif::ProgressBar {
        if self.quiet || !self.stderr_tty {
            return indicatif::ProgressBar::hidden();
        }
        let bar = indicatif::ProgressBar::new(total);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{msg} [{bar:30}] {human_pos}/{human_len} ({rate}, {eta} left)",
            )
            .expect("valid template")
            .with_key(
                "rate",
                |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                    let _ = write!(w, "{}/s", thousands(state.per_sec().round() as u64));
                },
            )
            .progress_chars("=> "),
        );
        bar.set_message(what.to_string());
        bar
    }
}

/// A count with thousands separators: `17,773`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(d);
    }
    out
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

#[cfg(test)]
mod tests {
    #[test]
    fn thousands_are_grouped() {
        assert_eq!(super::thousands(0), "0");
        assert_eq!(super::thousands(999), "999");
        assert_eq!(super::thousands(17_773), "17,773");
        assert_eq!(super::thousands(1_234_567), "1,234,567");
    }
}
