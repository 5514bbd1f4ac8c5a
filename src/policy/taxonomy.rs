//! The one data-category taxonomy every policy uses.
//!
//! Modelled on fideslang's dotted categories: `user.*` is personal data about the data
//! subject; `system.*` is data about the system that identifies nobody (keys, timestamps,
//! statuses, aggregated statistics). A policy may name any category in this list; a
//! category stands for everything beneath it.

/// Every category, with a one-line description, parents before children.
pub const CATEGORIES: &[(&str, &str)] = &[
    ("user", "Data about the data subject"),
    ("user.name", "Names"),
    ("user.contact", "Contact details"),
    ("user.contact.email", "E-mail address"),
    ("user.contact.phone_number", "Telephone number"),
    ("user.contact.address", "Postal address"),
    ("user.contact.address.street", "Street and house number"),
    ("user.contact.address.city", "City"),
    ("user.contact.address.state", "State or region"),
    ("user.contact.address.postal_code", "Postal code"),
    ("user.contact.address.country", "Country"),
    ("user.contact.fax_number", "Fax number"),
    (
        "user.contact.messaging_handle",
        "Messenger account (Telegram, WhatsApp id)",
    ),
    ("user.account", "Account data"),
    ("user.account.username", "User name"),
    ("user.account.settings", "Preferences and settings"),
    ("user.authorization", "Credentials and authorisation"),
    (
        "user.authorization.credentials",
        "Password hashes, API keys",
    ),
    (
        "user.authorization.session",
        "Session identifiers and cookies",
    ),
    ("user.unique_id", "Identifier assigned to the subject"),
    ("user.device", "Device data"),
    ("user.device.ip_address", "IP address"),
    ("user.device.device_id", "Device identifier"),
    ("user.device.push_token", "Push-notification token"),
    ("user.device.user_agent", "Browser or client description"),
    ("user.behavior", "Behaviour"),
    ("user.behavior.browsing_history", "Pages visited"),
    ("user.behavior.usage", "Features used, executions"),
    ("user.content", "Content the subject created or received"),
    ("user.content.message", "Messages (WhatsApp, SMS, chat)"),
    ("user.content.email", "E-mail contents"),
    (
        "user.content.ai_conversation",
        "Conversations with AI agents, tool calls",
    ),
    ("user.content.voice", "Voice recordings and transcripts"),
    ("user.content.calendar", "Meetings and calendar entries"),
    ("user.content.notes", "Free-text notes about the subject"),
    ("user.financial", "Financial data"),
    ("user.financial.invoice", "Invoices and billing records"),
    ("user.financial.bank_account", "Bank account"),
    ("user.financial.tax_id", "Tax or VAT number"),
    ("user.payment", "Payment card and transaction data"),
    ("user.employment", "Employment and professional data"),
    ("user.employment.title", "Job title"),
    ("user.employment.organisation", "Employer or company"),
    ("user.demographic", "Demographic data"),
    ("user.demographic.date_of_birth", "Date of birth"),
    ("user.demographic.gender", "Gender"),
    ("user.government_id", "Government identifiers"),
    ("user.location", "Location"),
    ("user.biometric", "Biometric data (Art. 9)"),
    ("user.health", "Health data (Art. 9)"),
    ("system", "Data about the system, identifying nobody"),
    (
        "system.operations",
        "Keys, timestamps, statuses and other operational fields",
    ),
    ("system.aggregate", "Aggregated statistics"),
];

pub(crate) fn is_known(category: &str) -> bool {
    CATEGORIES.iter().any(|(name, _)| *name == category)
}

/// Personal data is everything under `user`.
pub fn is_personal(category: &str) -> bool {
    category == "user" || category.starts_with("user.")
}

/// Art. 9 special categories need an extra condition besides an Art. 6 basis.
pub(crate) fn is_special(category: &str) -> bool {
    ["user.biometric", "user.health"]
        .iter()
        .any(|special| category == *special || category.starts_with(&format!("{special}.")))
}

/// How a personal column is masked when the policy declares no mask for it and a row
/// must be kept (referenced by held rows, or in a table whose rows are masked): values
/// that identify someone get a keyed pseudonym (still unique, so unique constraints and
/// joins hold); everything else is redacted. Numbers are set to NULL when written.
pub(crate) fn default_mask(category: &str) -> crate::policy::Mask {
    let identifying = [
        "user.contact.email",
        "user.contact.phone_number",
        "user.contact.fax_number",
        "user.contact.messaging_handle",
        "user.account.username",
        "user.unique_id",
        "user.government_id",
    ];
    if identifying
        .iter()
        .any(|c| category == *c || category.starts_with(&format!("{c}.")))
    {
        crate::policy::Mask::Hmac
    } else {
        crate::policy::Mask::Redact
    }
}

pub(crate) fn describe(category: &str) -> Option<&'static str> {
    CATEGORIES
        .iter()
        .find(|(name, _)| *name == category)
        .map(|(_, description)| *description)
}

/// The closest known category, for "did you mean" hints.
pub(crate) fn suggest(category: &str) -> Option<&'static str> {
    let last = category.rsplit('.').next().unwrap_or(category);
    CATEGORIES
        .iter()
        .map(|(name, _)| *name)
        .find(|name| name.ends_with(&format!(".{last}")))
}
