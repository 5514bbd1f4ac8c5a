//! Documents rendered from the templates in `templates/` (compiled into the binary, so
//! an installed privops needs no files beside it).

use anyhow::{Context, Result};
use minijinja::Environment;
use serde::Serialize;

const TEMPLATES: &[(&str, &str)] = &[
    (
        "record-of-processing.md",
        include_str!("../templates/record-of-processing.md.j2"),
    ),
    (
        "access-readme.md",
        include_str!("../templates/access-readme.md.j2"),
    ),
    (
        "erasure-receipt.md",
        include_str!("../templates/erasure-receipt.md.j2"),
    ),
    (
        "deletion-certificate.md",
        include_str!("../templates/deletion-certificate.md.j2"),
    ),
    (
        "audit-report.md",
        include_str!("../templates/audit-report.md.j2"),
    ),
    (
        "audit-report.html",
        include_str!("../templates/audit-report.html.j2"),
    ),
    (
        "audit-verify.md",
        include_str!("../templates/audit-verify.md.j2"),
    ),
];

fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    // HTML templates escape what they show; Markdown ones do not.
    env.set_auto_escape_callback(|name| {
        if name.ends_with(".html") {
            minijinja::AutoEscape::Html
        } else {
            minijinja::AutoEscape::None
        }
    });
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    for (name, source) in TEMPLATES {
        env.add_template(name, source)
            .expect("the built-in templates parse");
    }
    env
}

pub fn render<T: Serialize>(name: &str, context: &T) -> Result<String> {
    let env = environment();
    let template = env.get_template(name)?;
    template
        .render(context)
        .with_context(|| format!("cannot render the template {name}"))
}
