//! Tables for people: aligned columns that fit the terminal. A table too wide for the
//! screen shortens its longest cells with `…` instead of wrapping them, so a word, an id
//! or a timestamp is never split across lines; what does not fit is in `--format json`
//! and in the detail lines commands print below their tables.

use std::fmt;

use unicode_width::UnicodeWidthChar;

/// The gap between two columns.
const GAP: usize = 2;
/// No column is shortened below this many characters.
const MIN_WIDTH: usize = 6;

pub struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
    /// The room the table has, in terminal columns; `None` when nothing limits it.
    width: Option<usize>,
    /// Columns whose cells keep their full text whatever the width (ids, times).
    whole: Vec<bool>,
    bold_header: bool,
}

impl Table {
    pub(crate) fn new(header: &[&str], width: Option<usize>, bold_header: bool) -> Table {
        Table {
            header: header.iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
            width,
            whole: vec![false; header.len()],
            bold_header,
        }
    }

    /// Keeps a column's cells whole when the table must shrink (ids, times, counts).
    pub fn keep_whole(&mut self, columns: &[usize]) -> &mut Table {
        for &column in columns {
            if let Some(whole) = self.whole.get_mut(column) {
                *whole = true;
            }
        }
        self
    }

    pub fn add_row<S: Into<String>>(&mut self, row: Vec<S>) -> &mut Table {
        self.rows.push(row.into_iter().map(Into::into).collect());
        self
    }

    /// Each column's width: the widest cell, then, while the table is too wide, the widest
    /// column that may shrink is cut down, never below [`MIN_WIDTH`] (or its header).
    fn widths(&self) -> Vec<usize> {
        let columns = self.header.len();
        let mut widths: Vec<usize> = (0..columns)
            .map(|c| {
                self.rows
                    .iter()
                    .filter_map(|row| row.get(c))
                    .chain(std::iter::once(&self.header[c]))
                    .map(|cell| display_width(&one_line(cell)))
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let Some(room) = self.width else {
            return widths;
        };
        let total =
            |widths: &[usize]| widths.iter().sum::<usize>() + GAP * columns.saturating_sub(1);
        while total(&widths) > room {
            let floor = |c: usize| MIN_WIDTH.max(display_width(&self.header[c]).min(MIN_WIDTH * 2));
            let Some(widest) = (0..columns)
                .filter(|&c| !self.whole[c] && widths[c] > floor(c))
                .max_by_key(|&c| (widths[c], c))
            else {
                break;
            };
            let excess = total(&widths) - room;
            let next_widest = (0..columns)
                .filter(|&c| c != widest && !self.whole[c])
                .map(|c| widths[c])
                .max()
                .unwrap_or(0);
            // Cut to the next widest column first, so long columns share the loss.
            let cut = excess
                .min(widths[widest] - floor(widest).max(next_widest))
                .max(1);
            widths[widest] -= cut.min(widths[widest] - floor(widest));
        }
        widths
    }
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let widths = self.widths();
        let line = |cells: &[String], header: bool, f: &mut fmt::Formatter<'_>| {
            let mut text = String::new();
            for (c, width) in widths.iter().enumerate() {
                let cell = cells.get(c).map(String::as_str).unwrap_or("");
                let shown = fit(cell, *width);
                let pad = width.saturating_sub(display_width(&shown));
                if c > 0 {
                    text.push_str(&" ".repeat(GAP));
                }
                if header && self.bold_header {
                    text.push_str(&format!("\x1b[1m{shown}\x1b[0m"));
                } else {
                    text.push_str(&shown);
                }
                if c + 1 < widths.len() {
                    text.push_str(&" ".repeat(pad));
                }
            }
            writeln!(f, "{}", text.trim_end())
        };
        line(&self.header, true, f)?;
        for row in &self.rows {
            line(row, false, f)?;
        }
        Ok(())
    }
}

/// A cell on one line: line breaks and tabs become spaces.
fn one_line(cell: &str) -> String {
    cell.replace(['\n', '\r', '\t'], " ")
}

/// The width of text on a terminal, ANSI colour codes excluded.
pub fn display_width(text: &str) -> usize {
    let mut width = 0;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            // An SGR sequence: ESC [ ... m
            for c in chars.by_ref() {
                if c == 'm' {
                    break;
                }
            }
            continue;
        }
        width += c.width().unwrap_or(0);
    }
    width
}

/// A cell shortened to `width` columns: newlines become spaces, and a cut shows `…`.
/// Colour codes are kept whole, and a cut cell ends its colour.
fn fit(cell: &str, width: usize) -> String {
    let cell = one_line(cell);
    if display_width(&cell) <= width {
        return cell;
    }
    let mut out = String::new();
    let mut used = 0;
    let mut chars = cell.chars();
    let mut coloured = false;
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            out.push(c);
            for c in chars.by_ref() {
                out.push(c);
                if c == 'm' {
                    break;
                }
            }
            coloured = true;
            continue;
        }
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    if coloured {
        out.push_str("\x1b[0m");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(table: &Table) -> Vec<String> {
        table.to_string().lines().map(str::to_string).collect()
    }

    #[test]
    fn columns_align_without_a_limit() {
        let mut table = Table::new(&["id", "name"], None, false);
        table.add_row(vec!["REQ-00001", "erasure"]);
        table.add_row(vec!["REQ-2", "x"]);
        assert_eq!(
            lines(&table),
            ["id         name", "REQ-00001  erasure", "REQ-2      x"]
        );
    }

    #[test]
    fn a_wide_table_shortens_its_longest_column_and_keeps_whole_ones() {
        let long = "word ".repeat(40);
        let mut table = Table::new(&["id", "at", "details"], Some(50), false);
        table.keep_whole(&[0, 1]);
        table.add_row(vec!["REQ-00001", "2026-12-01 10:00:00", long.trim()]);
        let shown = lines(&table);
        assert!(shown.iter().all(|l| display_width(l) <= 50), "{shown:?}");
        assert!(shown[1].starts_with("REQ-00001  2026-12-01 10:00:00  word word"));
        assert!(shown[1].ends_with('…'));
    }

    #[test]
    fn colour_codes_take_no_room_and_are_closed_when_cut() {
        assert_eq!(display_width("\x1b[31mOVERDUE\x1b[0m"), 7);
        let cut = fit("\x1b[31mOVERDUE-AND-MORE\x1b[0m", 8);
        assert_eq!(display_width(&cut), 8);
        assert!(cut.ends_with("…\x1b[0m"));
    }

    #[test]
    fn cells_stay_on_one_line() {
        let mut table = Table::new(&["a"], Some(80), false);
        table.add_row(vec!["one\ntwo"]);
        assert_eq!(lines(&table), ["a", "one two"]);
    }
}
