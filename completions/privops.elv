
use builtin;
use str;

set edit:completion:arg-completer[privops] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'privops'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'privops'= {
            cand --policy 'The policy folder'
            cand --state 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]'
            cand --format 'Output format'
            cand --color 'When to use colour'
            cand --actor 'Who is acting, as recorded in the audit trail [default: $USER]'
            cand -q 'Print no status messages (data is still printed)'
            cand --quiet 'Print no status messages (data is still printed)'
            cand -v 'Print more detail about what is done'
            cand --verbose 'Print more detail about what is done'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand demo 'Set up a demo workspace: example policies, synthetic databases, a state store'
            cand init 'Create the state store and subject key beside an existing policy folder'
            cand policy 'Check the policy (and its drift from the live schemas); write the Art. 30 record'
            cand scan 'Sample live data: identifiers where the policy says there are none'
            cand purpose 'The purposes of processing and the versions of their consent texts'
            cand consent 'Record, withdraw, check, export and import consent per purpose'
            cand object 'Record an objection to a purpose (Art. 21), or lift it'
            cand restrict 'Restrict all processing of a subject''s data (Art. 18), or lift it'
            cand processing 'May this subject''s data be processed for this purpose? (exit 0 / 3)'
            cand notice 'Versions of the privacy notice and who acknowledged them'
            cand request 'Data-subject requests and their deadlines; confirm manual tasks'
            cand access 'Export everything held about a subject into an archive'
            cand rectify 'Correct a subject''s data across sources and providers (Art. 16, 19)'
            cand erase 'Erase subjects across every source and provider: plan, confirm, execute, verify'
            cand offboard 'Offboard a client account: export, roll up, delete everywhere, certify'
            cand retention 'Retention: what is due and why (plan), and the sweep that deletes or rolls it up'
            cand audit 'The hash-chained audit trail: log, verify, find, report, checkpoint, export'
            cand archive 'Verify an archive, a deletion certificate or an erasure receipt offline'
            cand completions 'Print a shell completion script'
            cand man 'Write man pages for privops and each of its commands'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'privops;demo'= {
            cand --dir 'Where to create the workspace'
            cand --policy 'The policy folder'
            cand --state 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]'
            cand --format 'Output format'
            cand --color 'When to use colour'
            cand --actor 'Who is acting, as recorded in the audit trail [default: $USER]'
            cand --force 'Recreate the workspace if it exists'
            cand -q 'Print no status messages (data is still printed)'
            cand --quiet 'Print no status messages (data is still printed)'
            cand -v 'Print more detail about what is done'
            cand --verbose 'Print more detail about what is done'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'privops;init'= {
            cand --policy 'The policy folder'
            cand --state 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]'
            cand --format 'Output format'
            cand --color 'When to use colour'
            cand --actor 'Who is acting, as recorded in the audit trail [default: $USER]'
            cand -q 'Print no status messages (data is still printed)'
            cand --quiet 'Print no status messages (data is still printed)'
            cand -v 'Print more detail about what is done'
            cand --verbose 'Print more detail about what is done'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'privops;policy'= {
            cand --policy 'The policy folder'
            cand --state 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]'
            cand --format 'Output format'
            cand --color 'When to use colour'
            cand --actor 'Who is acting, as recorded in the audit trail [default: $USER]'
            cand -q 'Print no status messages (data is still printed)'
            cand --quiet 'Print no status messages (data is still printed)'
            cand -v 'Print more detail about what is done'
            cand --verbose 'Print more detail about what is done'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand check 'Validate the policy folder; with --live, compare it with the real schemas'
            cand map 'Write the Art. 30 record of processing and the data map (md, csv or json)'
            cand init 'Draft a policy folder from a live database, every guess marked for review'
            cand import 'Convert a Fides dataset description into a policy folder'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'privops;policy;check'= {
            cand --policy 'The policy folder'
            cand --state 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]'
            cand --format 'Output format'
            cand --color 'When to use colour'
            cand --actor 'Who is acting, as recorded in the audit trail [default: $USER]'
            cand --live 'Also connect to every source and report drift between policy and database'
            cand -q 'Print no status messages (data is still printed)'
            cand --quiet 'Print no status messages (data is still printed)'
            cand -v 'Print more detail about what is done'
            cand --verbose 'Print more detail about what is done'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'privops;policy;map'= {
            cand --out 'Write to this file instead of stdout'
            cand --policy 'The policy folder'
            cand --state 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]'
            cand --format 'Output format'
            cand --color 'When to use colour'
            cand --actor 'Who is acting, as recorded in the audit trail [default: $USER]'
            cand -q 'Print no status messages (data is still printed)'
            cand --quiet 'Print no status messages (data is still printed)'
            cand -v 'Print more detail about what is done'
            cand --verbose 'Print more detail about what is done'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'privops;policy;init'= {
            cand --from-live 'The environment variable holding the database''s URL (sqlite://, postgres://, mysql://)'
            cand --out 'The folder to write the draft into'
            cand --source-id 'The source''s id [default: the variable''s name, lower-case, without _URL]'
            cand --sample 'Rows sampled per table to classify columns by their values'
            cand --policy 'The policy folder'
            cand --state 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]'
            cand --format 'Output format'
            cand --color 'When to use colour'
            cand --actor 'Who is acting, as recorded in the audit trail [default: $USER]'
            cand --force 'Replace the draft''s files where they exist'
            cand -q 'Print no status messages (data is still printed)'
            cand --quiet 'Print no status messages (data is still printed)'
            cand -v 'Print more detail about what is done'
            cand --verbose 'Print more detail about what is done'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'privops;policy;import'= {
            cand --fides 'The Fides dataset file (YAML)'
            cand --out 'The folder to write the policy into'
            cand --engine 'The database engine the dataset describes'
            cand --url-env 'The environment variable that will hold its URL [default: ID_URL]'
            cand --source-id 'The source''s id [default: the dataset''s fides_key]'
            cand --policy 'The policy folder'
            cand --state 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]'
            cand --format 'Output format'
            cand --color 'When to use colour'
            cand --actor 'Who is acting, as recorded in the audit trail [default: $USER]'
            cand --force 'Replace the policy''s files where they exist'
            cand -q 'Print no status messages (data is still printed)'
            cand --quiet 'Print no status messages (data is still printed)'
            cand -v 'Print more detail about what is done'
            cand --verbose 'Print more detail about what is done'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'privops;policy;help'= {
            cand check 'Validate the policy folder; with --live, compare it with the real schemas'
            cand map 'Write the Art. 30 record of processing and the data map (md, csv or json)'
            cand init 'Draft a policy folder from a live database, every guess marked for review'
            cand import 'Convert a Fides dataset description into a policy folder'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'privops;policy;help;check'= {
        }
        &'privops;policy;help;map'= {
        }
        &'privops;policy;help;init'= {
        }
        &'privops;policy;help;import'= {
        }
        &'privops;policy;help;help'= {
        }
        &'privops;scan'= {
            cand --source 'Only this source'
            cand --table 'Only this table'
            cand --sample 'Rows sampled per table (the whole table when it has fewer)'
            cand --max-duration 'Read no new table after this long (`30s`, `5m`); exit 4 when cut short'
            cand --policy 'The policy folder'
            cand --state 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]'
            cand --format 'Output format'
            cand --color 'When to use colour'
            cand --actor 'Who is acting, as recorded in the audit trail [default: $USER]'
            cand -q 'Print no status messages (data is still printed)'
            cand --quiet 'Print no status messages (data is still printed)'
            cand -v 'Print more detail about what is done'
            cand --verbose 'Print more detail about what is done'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'privops;purpose'= {
            cand --policy 'The policy folder'
            cand --state 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]'
            cand --format 'Output format'
            cand --color 'When to use colour'
            cand --actor 'Who is acting, as recorded in the audit trail [default: $USER]'
            cand -q 'Print no status messages (data is still printed)'
            cand --quiet 'Print no status messages (data is still printed)'
            cand -v 'Print more detail about what is done'
            cand --verbose 'Print more detail about what is done'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand list 'List the purposes of the policy with their current consent version'
            cand show 'Show one purpose, its consent text and its version history'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'privops;purpose;list'= {
            cand --policy 'The policy folder'
            cand --state 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]'
            cand --format 'Output format'
            cand --color 'When to use colour'
            cand --actor 'Who is acting, as recorded in the audit trail [default: $USER]'
            cand -q 'Print no status messages (data is still printed)'
            cand --quiet 'Print no status messages (data is still printed)'
            cand -v 'Print more detail about what is done'
            cand --verbose 'Print more detail about what is done'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'privops;purpose;show'= {
            cand --policy 'The policy folder'
            cand --state 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]'
            cand --format 'Output format'
            cand --color 'When to use colour'
            cand --actor 'Who is acting, as recorded in the audit trail [default: $USER]'
            cand -q 'Print no status messages (data is still printed)'
            cand --quiet 'Print no status messages (data is still printed)'
            cand -v 'Print more detail about what is done'
            cand --verbose 'Print more detail about what is done'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'privops;purpose;help'= {
            cand list 'List the purposes of the policy with their current consent version'
            cand show 'Show one purpose, its consent text and its version history'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'privops;purpose;help;list'= {
        }
        &'privops;purpose;help;show'= {
        }
        &'privops;purpose;help;help'= {
        }
        &'privops;consent'= {
            cand --policy 'The policy folder'
            cand --state 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]'
            cand --format 'Output format'
            cand --color 'When to use colour'
            cand --actor 'Who is acting, as recorded in the audit trail [default: $USER]'
            cand -q 'Print no status messages (data is still printed)'
            cand --quiet 'Print no status messages (data is still printed)'
            cand -v 'Print more detail about what is done'
            cand --verbose 'Print more detail about what is done'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand grant 'Record that a subject gave consent to a purpose'
            cand withdraw 'Record that a subject withdrew consent to a purpose'
            cand check 'Does consent stand for the current version? Exit 0 yes, 3 no'
            cand history 'Every consent event of a subject'
            cand export 'Write the consent state at a moment in time to CSV'
            cand import 'Append events from a CSV file, all or nothing; re-importing adds nothing'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'privops;consent;grant'= {
            cand --subject 'The subject, KIND:VALUE (e.g. email:alice@example.com)'
            cand --purpose 'The purpose id (its lawful basis must be consent)'
            cand --channel 'How the subject expressed it'
            cand --evidence 'Evidence kept with the event (a form id, a message id, a scan reference)'
            cand --at 'When it happened (RFC 3339) [default: now]'
            cand --policy 'The policy folder'
            cand --state 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]'
            cand --format 'Output format'
            cand --color 'When to use colour'
            cand --actor 'Who is acting, as recorded in the audit trail [default: $USER]'
            cand -q 'Print no status messages (data is still printed)'
            cand --quiet 'Print no status messages (data is still printed)'
            cand -v 'Print more detail about what is done'
            cand --verbose 'Print more detail about what is done'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'privops;consent;withdraw'= {
            cand --subject 'The subject, KIND:VALUE (e.g. email:alice@example.com)'
            cand --purpose 'The purpose id (its lawful basis must be consent)'
            cand --channel 'How the subject expressed it'
            cand --evidence 'Evidence kept with the event (a form id, a message id, a scan reference)'
            cand --at 'When it happened (RFC 3339) [default: now]'
            cand --policy 'The policy folder'
            cand --state 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]'
            cand --format 'Output format'
            cand --color 'When to use colour'
            cand --actor 'Who is acting, as recorded in the audit trail [default: $USER]'
            cand -q 'Print no status messages (data is still printed)'
            cand --quiet 'Print no status messages (data is still printed)'
            cand -v 'Print more detail about what is done'
            cand --verbose 'Print more detail about what is done'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'privops;consent;check'= {
            cand --subject 'The subject, KIND:VALUE'
            cand --purpose 'The purpose id'
            cand --batch 'Read subjects (one KIND:VALUE per line) from FILE, or `-` for stdin; print one verdict per line. Exit 0 when all stand, 3 when any does not'
            cand --policy 'The policy folder'
            cand --state 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]'
            cand --format 'Output format'
            cand --color 'When to use colour'
            cand --actor 'Who is acting, as recorded in the audit trail [default: $USER]'
            cand -q 'Print no status messages (data is still printed)'
            cand --quiet 'Print no status messages (data is still printed)'
            cand -v 'Print more detail about what is done'
            cand --verbose 'Print more detail about what is done'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'privops;consent;history'= {
            cand --subject 'The subject, KIND:VALUE'
            cand --purpose 'Only this purpose'
            cand --policy 'The policy folder'
            cand --state 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]'
            cand --format 'Output format'
            cand --color 'When to use colour'
            cand --actor 'Who is acting, as recorded in the audit trail [default: $USER]'
            cand -q 'Print no status messages (data is still printed)'
            cand --quiet 'Print no status messages (data is still printed)'
            cand -v 'Print more detail about what is done'
            cand --verbose 'Print more detail about what is done'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'privops;consent;export'= {
            cand --purpose 'Only this purpose [default: every consent purpose]'
            cand --as-of 'The moment whose state is exported (RFC 3339 or a date) [default: now]'
            cand --out 'The file to write'
            cand --policy 'The policy folder'
            cand --state 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]'
            cand --format 'Output format'
            cand --color 'When to use colour'
            cand --actor 'Who is acting, as recorded in the audit trail [default: $USER]'
            cand --force 'Replace the file if it exists'
            cand -q 'Print no status messages (data is still printed)'
            cand --quiet 'Print no status messages (data is still printed)'
            cand -v 'Print more detail about what is done'
            cand --verbose 'Print more detail about what is done'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'privops;consent;import'= {
            cand --policy 'The policy folder'
            cand --state 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]'
            cand --format 'Output format'
            cand --color 'When to use colour'
            cand --actor 'Who is acting, as recorded in the audit trail [default: $USER]'
            cand -q 'Print no status messages (data is still printed)'
            cand --quiet 'Print no status messages (data is still printed)'
            cand -v 'Print more detail about what is done'
            cand --verbose 'Print more detail about what is done'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'privops;consent;help'= {
            cand grant 'Record that a subject gave consent to a purpose'
            cand withdraw 'Record that a subject withdrew consent to a purpose'
            cand check 'Does consent stand for the current version? Exit 0 yes, 3 no'
            cand history 'Every consent event of a subject'
            cand export 'Write the consent state at a moment in time to CSV'
            cand import 'Append events from a CSV file, all or nothing; re-importing adds nothing'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'privops;consent;help;grant'= {
        }
        &'privops;consent;help;withdraw'= {
        }
        &'privops;consent;help;check'= {
        }
        &'privops;consent;help;history'= {
        }
        &'privops;consent;help;export'= {
        }
        &'privops;consent;help;import'= {
        }
        &'privops;consent;help;help'= {
        }
        &'privops;object'= {
            cand --subject 'The subject, KIND:VALUE'
            cand --purpose 'The purpose objected to'
            cand --ground 'Why the objection is lifted'
            cand --request 'The request this answers (its kind must match); it is closed once recorded'
            cand --at 'When the subject asked (RFC 3339 or a date) [default: now]'
            cand --policy 'The policy folder'
            cand --state 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]'
            cand --format 'Output format'
            cand --color 'When to use colour'
            cand --actor 'Who is acting, as recorded in the audit trail [default: $USER]'
            cand --lift 'End the objection: --ground compelling-grounds (Art. 21(1), never for direct marketing) or --ground withdrawn (the subject took it back)'
            cand -q 'Print no status messages (data is still printed)'
            cand --quiet 'Print no status messages (data is still printed)'
            cand -v 'Print more detail about what is done'
            cand --verbose 'Print more detail about what is done'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'privops;restrict'= {
            cand --subject 'The subject, KIND:VALUE'
            cand --ground 'Why (Art. 18(1)): accuracy, unlawful, legal-claims, objection-pending; with --lift, withdrawn'
            cand --request 'The request this answers (its kind must match); it is closed once recorded'
            cand --at 'When the subject asked (RFC 3339 or a date) [default: now]'
            cand --policy 'The policy folder'
            cand --state 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]'
            cand --format 'Output format'
            cand --color 'When to use colour'
            cand --actor 'Who is acting, as recorded in the audit trail [default: $USER]'
            cand --lift 'End the restriction (Art. 18(3): tell the subject first)'
            cand -q 'Print no status messages (data is still printed)'
            cand --quiet 'Print no status messages (data is still printed)'
            cand -v 'Print more detail about what is done'
            cand --verbose 'Print more detail about what is done'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'privops;processing'= {
            cand --policy 'The policy folder'
            cand --state 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]'
            cand --format 'Output format'
            cand --color 'When to use colour'
            cand --actor 'Who is acting, as recorded in the audit trail [default: $USER]'
            cand -q 'Print no status messages (data is still printed)'
            cand --quiet 'Print no status messages (data is still printed)'
            cand -v 'Print more detail about what is done'
            cand --verbose 'Print more detail about what is done'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand check 'May this subject''s data be processed for this purpose? Exit 0 yes, 3 no'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'privops;processing;check'= {
            cand --subject 'The subject, KIND:VALUE'
            cand --purpose 'The purpose id'
            cand --batch 'Read subjects (one KIND:VALUE per line) from FILE, or `-` for stdin; print one verdict per line. Exit 0 when all stand, 3 when any does not'
            cand --policy 'The policy folder'
            cand --state 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]'
            cand --format 'Output format'
            cand --color 'When to use colour'
            cand --actor 'Who is acting, as recorded in the audit trail [default: $USER]'
            cand -q 'Print no status messages (data is still printed)'
            cand --quiet 'Print no status messages (data is still printed)'
            cand -v 'Print more detail about what is done'
            cand --verbose 'Print more detail about what is done'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'privops;processing;help'= {
            cand check 'May this subject''s data be processed for this purpose? Exit 0 yes, 3 no'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'privops;processing;help;check'= {
        }
        &'privops;processing;help;help'= {
        }
        &'privops;notice'= {
            cand --policy 'The policy folder'
            cand --state 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]'
            cand --format 'Output format'
            cand --color 'When to use colour'
            cand --actor 'Who is acting, as recorded in the audit trail [default: $USER]'
            cand -q 'Print no status messages (data is still printed)'
            cand --quiet 'Print no status messages (data is still printed)'
            cand -v 'Print more detail about what is done'
            cand --verbose 'Print more detail about what is done'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand publish 'Record a version of the privacy notice (the SHA-256 of its text)'
            cand ack 'Record that a subject acknowledged the notice in force'
            cand pending 'Who has not acknowledged the notice in force (text, JSON, CSV)'
            cand list 'The versions published'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'privops;notice;publish'= {
            cand --title 'The notice''s title, e.g. "Privacy policy, December 2026"'
            cand --file 'The notice''s text (UTF-8, up to 1 MiB)'
            cand --policy 'The policy folder'
            cand --state 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]'
            cand --format 'Output format'
            cand --color 'When to use colour'
            cand --actor 'Who is acting, as recorded in the audit trail [default: $USER]'
            cand -q 'Print no status messages (data is still printed)'
            cand --quiet 'Print no status messages (data is still printed)'
            cand -v 'Print more detail about what is done'
            cand --verbose 'Print more detail about what is done'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'privops;notice;ack'= {
            cand --subject 'The subject, KIND:VALUE'
            cand --notice-version 'The version acknowledged [default: the one in force]'
            cand --at 'When (RFC 3339 or a date) [default: now]'
            cand --policy 'The policy folder'
            cand --state 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]'
            cand --format 'Output format'
            cand --color 'When to use colour'
            cand --actor 'Who is acting, as recorded in the audit trail [default: $USER]'
            cand -q 'Print no status messages (data is still printed)'
            cand --quiet 'Print no status messages (data is still printed)'
            cand -v 'Print more detail about what is done'
            cand --verbose 'Print more detail about what is done'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'privops;notice;pending'= {
            cand --purpose 'Instead: the people whose consent to this purpose stands on an older text'
            cand --policy 'The policy folder'
            cand --state 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]'
            cand --format 'Output format'
            cand --color 'When to use colour'
            cand --actor 'Who is acting, as recorded in the audit trail [default: $USER]'
            cand -q 'Print no status messages (data is still printed)'
            cand --quiet 'Print no status messages (data is still printed)'
            cand -v 'Print more detail about what is done'
            cand --verbose 'Print more detail about what is done'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'privops;notice;list'= {
            cand --policy 'The policy folder'
            cand --state 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]'
            cand --format 'Output format'
            cand --color 'When to use colour'
            cand --actor 'Who is acting, as recorded in the audit trail [default: $USER]'
            cand -q 'Print no status messages (data is still printed)'
            cand --quiet 'Print no status messages (data is still printed)'
            cand -v 'Print more detail about what is done'
            cand --verbose 'Print more detail about what is done'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'privops;notice;help'= {
            cand publish 'Record a version of the privacy notice (the SHA-256 of its text)'
            cand ack 'Record that a subject acknowledged the notice in force'
            cand pending 'Who has not acknowledged the notice in force (text, JSON, CSV)'
            cand list 'The versions published'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'privops;notice;help;publish'= {
        }
        &'privops;notice;help;ack'= {
        }
        &'privops;notice;help;pending'= {
        }
        &'privops;notice;help;list'= {
        }
        &'privops;notice;help;help'= {
        }
        &'privops;request'= {
            cand --policy 'The policy folder'
            cand --state 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]'
            cand --format 'Output format'
            cand --color 'When to use colour'
            cand --actor 'Who is acting, as recorded in the audit trail [default: $USER]'
            cand -q 'Print no status messages (data is still printed)'
            cand --quiet 'Print no status messages (data is still printed)'
            cand -v 'Print more detail about what is done'
            cand --verbose 'Print more detail about what is done'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand open 'Record a request received from a data subject; prints its id and due date'
            cand list 'List requests; --overdue exits 3 when any is overdue'
            cand show 'Show a request with its tasks'
            cand extend 'Extend a request''s deadline once by up to two months, with a reason'
            cand close 'Close a request whose tasks are all done'
            cand confirm-manual 'Confirm that a manual task (a provider without an API) was done'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'privops;request;open'= {
            cand --kind 'kind'
            cand --subject 'The subject, KIND:VALUE'
            cand --received 'When the request was received (RFC 3339 or a date) [default: now]'
            cand --note 'A note kept with the request'
            cand --policy 'The policy folder'
            cand --state 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]'
            cand --format 'Output format'
            cand --color 'When to use colour'
            cand --actor 'Who is acting, as recorded in the audit trail [default: $USER]'
            cand -q 'Print no status messages (data is still printed)'
            cand --quiet 'Print no status messages (data is still printed)'
            cand -v 'Print more detail about what is done'
            cand --verbose 'Print more detail about what is done'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'privops;request;list'= {
            cand --due-within 'Only open requests due within this many days'
            cand --status 'Only requests with this status'
            cand --policy 'The policy folder'
            cand --state 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]'
            cand --format 'Output format'
            cand --color 'When to use colour'
            cand --actor 'Who is acting, as recorded in the audit trail [default: $USER]'
            cand --overdue 'Only open requests past their deadline (exit 3 when there are any)'
            cand -q 'Print no status messages (data is still printed)'
            cand --quiet 'Print no status messages (data is still printed)'
            cand -v 'Print more detail about what is done'
            cand --verbose 'Print more detail about what is done'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'privops;request;show'= {
            cand --policy 'The policy folder'
            cand --state 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]'
            cand --format 'Output format'
            cand --color 'When to use colour'
            cand --actor 'Who is acting, as recorded in the audit trail [default: $USER]'
            cand -q 'Print no status messages (data is still printed)'
            cand --quiet 'Print no status messages (data is still printed)'
            cand -v 'Print more detail about what is done'
            cand --verbose 'Print more detail about what is done'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'privops;request;extend'= {
            cand --reason 'Why more time is needed (recorded, and owed to the subject)'
            cand --months 'By how many months (1 or 2)'
            cand --policy 'The policy folder'
            cand --state 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]'
            cand --format 'Output format'
            cand --color 'When to use colour'
            cand --actor 'Who is acting, as recorded in the audit trail [default: $USER]'
            cand -q 'Print no status messages (data is still printed)'
            cand --quiet 'Print no status messages (data is still printed)'
            cand -v 'Print more detail about what is done'
            cand --verbose 'Print more detail about what is done'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'privops;request;close'= {
            cand --policy 'The policy folder'
            cand --state 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]'
            cand --format 'Output format'
            cand --color 'When to use colour'
            cand --actor 'Who is acting, as recorded in the audit trail [default: $USER]'
            cand -q 'Print no status messages (data is still printed)'
            cand --quiet 'Print no status messages (data is still printed)'
            cand -v 'Print more detail about what is done'
            cand --verbose 'Print more detail about what is done'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'privops;request;confirm-manual'= {
            cand --note 'What was done, kept with the task'
            cand --policy 'The policy folder'
            cand --state 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]'
            cand --format 'Output format'
            cand --color 'When to use colour'
            cand --actor 'Who is acting, as recorded in the audit trail [default: $USER]'
            cand -q 'Print no status messages (data is still printed)'
            cand --quiet 'Print no status messages (data is still printed)'
            cand -v 'Print more detail about what is done'
            cand --verbose 'Print more detail about what is done'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'privops;request;help'= {
            cand open 'Record a request received from a data subject; prints its id and due date'
            cand list 'List requests; --overdue exits 3 when any is overdue'
            cand show 'Show a request with its tasks'
            cand extend 'Extend a request''s deadline once by up to two months, with a reason'
            cand close 'Close a request whose tasks are all done'
            cand confirm-manual 'Confirm that a manual task (a provider without an API) was done'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'privops;request;help;open'= {
        }
        &'privops;request;help;list'= {
        }
        &'privops;request;help;show'= {
        }
        &'privops;request;help;extend'= {
        }
        &'privops;request;help;close'= {
        }
        &'privops;request;help;confirm-manual'= {
        }
        &'privops;request;help;help'= {
        }
        &'privops;access'= {
            cand --subject 'The subject, KIND:VALUE; repeat for several identities of one person'
            cand --request 'The request this export answers'
            cand --out 'The file to write'
            cand --recipient 'Encrypt to this age public key (age1...); repeatable'
            cand --passphrase-env 'Encrypt with the passphrase held in this environment variable'
            cand --policy 'The policy folder'
            cand --state 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]'
            cand --format 'Output format'
            cand --color 'When to use colour'
            cand --actor 'Who is acting, as recorded in the audit trail [default: $USER]'
            cand --force 'Replace the file if it exists'
            cand --no-providers 'Do not query provider APIs (recorded in the archive and the audit trail)'
            cand -q 'Print no status messages (data is still printed)'
            cand --quiet 'Print no status messages (data is still printed)'
            cand -v 'Print more detail about what is done'
            cand --verbose 'Print more detail about what is done'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'privops;rectify'= {
            cand --subject 'The subject, KIND:VALUE [default: the request''s]'
            cand --set 'A correction: a category (user.contact.email) or SOURCE.TABLE.COLUMN, and the corrected value; repeat for several'
            cand --request 'The rectification request this answers; one is opened otherwise'
            cand --policy 'The policy folder'
            cand --state 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]'
            cand --format 'Output format'
            cand --color 'When to use colour'
            cand --actor 'Who is acting, as recorded in the audit trail [default: $USER]'
            cand --dry-run 'Show what would be done (with the SQL under --format json) and change nothing'
            cand --yes 'Do not ask for confirmation (required without a terminal)'
            cand -q 'Print no status messages (data is still printed)'
            cand --quiet 'Print no status messages (data is still printed)'
            cand -v 'Print more detail about what is done'
            cand --verbose 'Print more detail about what is done'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'privops;erase'= {
            cand --subject 'A subject, KIND:VALUE; repeatable'
            cand --subjects-file 'Read subjects (one KIND:VALUE per line, `#` comments) from FILE, or `-` for stdin'
            cand --request 'The erasure request this answers (one subject); one is opened otherwise'
            cand --receipt-dir 'Where to write the receipt [default: .privops/receipts beside the policy folder]'
            cand --policy 'The policy folder'
            cand --state 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]'
            cand --format 'Output format'
            cand --color 'When to use colour'
            cand --actor 'Who is acting, as recorded in the audit trail [default: $USER]'
            cand --dry-run 'Show what would be done (with the SQL under --format json) and change nothing'
            cand --yes 'Do not ask for confirmation (required without a terminal)'
            cand -q 'Print no status messages (data is still printed)'
            cand --quiet 'Print no status messages (data is still printed)'
            cand -v 'Print more detail about what is done'
            cand --verbose 'Print more detail about what is done'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'privops;offboard'= {
            cand --tenant 'The account''s key, as the policy''s [tenant] table holds it'
            cand --request 'The instruction this answers, as a reference (a ticket number): recorded in the audit trail and the certificate'
            cand --export 'First write the account''s data into this archive (the access export''s format)'
            cand --recipient 'Encrypt the export to this age public key (age1...); repeatable'
            cand --passphrase-env 'Encrypt the export with the passphrase held in this environment variable'
            cand --confirm-task 'Confirm that a manual task of the unfinished offboarding is done; repeatable'
            cand --note 'A note kept with the confirmed tasks (who was asked, a ticket)'
            cand --certificate-dir 'Where to write the certificate [default: .privops/certificates beside the policy folder]'
            cand --key 'The audit signing key that signs the certificate [default: .privops/audit-signing.key]'
            cand --policy 'The policy folder'
            cand --state 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]'
            cand --format 'Output format'
            cand --color 'When to use colour'
            cand --actor 'Who is acting, as recorded in the audit trail [default: $USER]'
            cand --dry-run 'Show what would be done (with the SQL under --format json) and change nothing'
            cand --yes 'Do not ask for confirmation (required without a terminal)'
            cand -q 'Print no status messages (data is still printed)'
            cand --quiet 'Print no status messages (data is still printed)'
            cand -v 'Print more detail about what is done'
            cand --verbose 'Print more detail about what is done'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'privops;retention'= {
            cand --policy 'The policy folder'
            cand --state 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]'
            cand --format 'Output format'
            cand --color 'When to use colour'
            cand --actor 'Who is acting, as recorded in the audit trail [default: $USER]'
            cand -q 'Print no status messages (data is still printed)'
            cand --quiet 'Print no status messages (data is still printed)'
            cand -v 'Print more detail about what is done'
            cand --verbose 'Print more detail about what is done'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand plan 'Per table: the rule, the cutoff, the rows due and the rows holds keep'
            cand sweep 'Delete, anonymise or roll up the rows past their period, in short chunks'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'privops;retention;plan'= {
            cand --source 'Only this source'
            cand --table 'Only this table'
            cand --policy 'The policy folder'
            cand --state 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]'
            cand --format 'Output format'
            cand --color 'When to use colour'
            cand --actor 'Who is acting, as recorded in the audit trail [default: $USER]'
            cand -q 'Print no status messages (data is still printed)'
            cand --quiet 'Print no status messages (data is still printed)'
            cand -v 'Print more detail about what is done'
            cand --verbose 'Print more detail about what is done'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'privops;retention;sweep'= {
            cand --source 'Only this source'
            cand --table 'Only this table'
            cand --batch-size 'Rows per chunk (each chunk is one short transaction) [default: adapts, from 20000]'
            cand --max-duration 'Stop after this long (e.g. 10m, 1h); a later sweep finishes the job'
            cand --policy 'The policy folder'
            cand --state 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]'
            cand --format 'Output format'
            cand --color 'When to use colour'
            cand --actor 'Who is acting, as recorded in the audit trail [default: $USER]'
            cand --dry-run 'Show what would be done (with the SQL under --format json) and change nothing'
            cand -q 'Print no status messages (data is still printed)'
            cand --quiet 'Print no status messages (data is still printed)'
            cand -v 'Print more detail about what is done'
            cand --verbose 'Print more detail about what is done'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'privops;retention;help'= {
            cand plan 'Per table: the rule, the cutoff, the rows due and the rows holds keep'
            cand sweep 'Delete, anonymise or roll up the rows past their period, in short chunks'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'privops;retention;help;plan'= {
        }
        &'privops;retention;help;sweep'= {
        }
        &'privops;retention;help;help'= {
        }
        &'privops;audit'= {
            cand --policy 'The policy folder'
            cand --state 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]'
            cand --format 'Output format'
            cand --color 'When to use colour'
            cand --actor 'Who is acting, as recorded in the audit trail [default: $USER]'
            cand -q 'Print no status messages (data is still printed)'
            cand --quiet 'Print no status messages (data is still printed)'
            cand -v 'Print more detail about what is done'
            cand --verbose 'Print more detail about what is done'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand log 'Show audit entries, oldest first'
            cand verify 'Recompute the hash chain and check every signed checkpoint; exit 3 when broken'
            cand find 'The entries about a subject, found by their keyed reference (works after erasure)'
            cand report 'The accountability report for a period (md, html, csv or json)'
            cand checkpoint 'Sign the chain''s size and head hash with an Ed25519 key'
            cand export 'A zip archive for auditors: entries, report, checkpoints, public key, VERIFY.md'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'privops;audit;log'= {
            cand --from 'From this time (RFC 3339 or a date), inclusive'
            cand --to 'Up to this time (RFC 3339 or a date), exclusive'
            cand --action 'Only this action (`consent.grant`), or a family (`consent.*`)'
            cand --subject 'Only entries about this subject (KIND:VALUE)'
            cand --policy 'The policy folder'
            cand --state 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]'
            cand --format 'Output format'
            cand --color 'When to use colour'
            cand --actor 'Who is acting, as recorded in the audit trail [default: $USER]'
            cand -q 'Print no status messages (data is still printed)'
            cand --quiet 'Print no status messages (data is still printed)'
            cand -v 'Print more detail about what is done'
            cand --verbose 'Print more detail about what is done'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'privops;audit;verify'= {
            cand --key 'The Ed25519 signing key (PKCS#8 PEM) [default: .privops/audit-signing.key]'
            cand --trusted-key 'Check the checkpoints against this Ed25519 public key (PEM), kept apart from the store, instead of the signing key beside it; at least one checkpoint must be signed by it'
            cand --expect-head 'Fail (exit 3) unless the chain still holds the entry with this hash: a head recorded earlier (from `audit verify` or `audit checkpoint`) catches a truncated or rewritten tail'
            cand --max-checkpoint-age 'Warn when no verified checkpoint is newer than this, counted back from the command''s time (e.g. 12h, 7d, 4w)'
            cand --policy 'The policy folder'
            cand --state 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]'
            cand --format 'Output format'
            cand --color 'When to use colour'
            cand --actor 'Who is acting, as recorded in the audit trail [default: $USER]'
            cand -q 'Print no status messages (data is still printed)'
            cand --quiet 'Print no status messages (data is still printed)'
            cand -v 'Print more detail about what is done'
            cand --verbose 'Print more detail about what is done'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'privops;audit;find'= {
            cand --subject 'The subject, KIND:VALUE'
            cand --policy 'The policy folder'
            cand --state 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]'
            cand --format 'Output format'
            cand --color 'When to use colour'
            cand --actor 'Who is acting, as recorded in the audit trail [default: $USER]'
            cand -q 'Print no status messages (data is still printed)'
            cand --quiet 'Print no status messages (data is still printed)'
            cand -v 'Print more detail about what is done'
            cand --verbose 'Print more detail about what is done'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'privops;audit;report'= {
            cand --from 'From this time (RFC 3339 or a date), inclusive'
            cand --to 'Up to this time (RFC 3339 or a date), exclusive'
            cand --out 'Write to this file instead of stdout'
            cand --trusted-key 'Check the checkpoints against this public key (PEM) instead of the workspace''s own signing key'
            cand --policy 'The policy folder'
            cand --state 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]'
            cand --format 'Output format'
            cand --color 'When to use colour'
            cand --actor 'Who is acting, as recorded in the audit trail [default: $USER]'
            cand --force 'Replace the --out file if it exists'
            cand -q 'Print no status messages (data is still printed)'
            cand --quiet 'Print no status messages (data is still printed)'
            cand -v 'Print more detail about what is done'
            cand --verbose 'Print more detail about what is done'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'privops;audit;checkpoint'= {
            cand --key 'The Ed25519 signing key (PKCS#8 PEM) [default: .privops/audit-signing.key]'
            cand --policy 'The policy folder'
            cand --state 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]'
            cand --format 'Output format'
            cand --color 'When to use colour'
            cand --actor 'Who is acting, as recorded in the audit trail [default: $USER]'
            cand -q 'Print no status messages (data is still printed)'
            cand --quiet 'Print no status messages (data is still printed)'
            cand -v 'Print more detail about what is done'
            cand --verbose 'Print more detail about what is done'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'privops;audit;export'= {
            cand --from 'From this time (RFC 3339 or a date), inclusive'
            cand --to 'Up to this time (RFC 3339 or a date), exclusive'
            cand --out 'The file to write'
            cand --recipient 'Encrypt to this age public key; repeatable'
            cand --key 'The Ed25519 signing key (PKCS#8 PEM) [default: .privops/audit-signing.key]'
            cand --policy 'The policy folder'
            cand --state 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]'
            cand --format 'Output format'
            cand --color 'When to use colour'
            cand --actor 'Who is acting, as recorded in the audit trail [default: $USER]'
            cand --force 'Replace the file if it exists'
            cand -q 'Print no status messages (data is still printed)'
            cand --quiet 'Print no status messages (data is still printed)'
            cand -v 'Print more detail about what is done'
            cand --verbose 'Print more detail about what is done'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'privops;audit;help'= {
            cand log 'Show audit entries, oldest first'
            cand verify 'Recompute the hash chain and check every signed checkpoint; exit 3 when broken'
            cand find 'The entries about a subject, found by their keyed reference (works after erasure)'
            cand report 'The accountability report for a period (md, html, csv or json)'
            cand checkpoint 'Sign the chain''s size and head hash with an Ed25519 key'
            cand export 'A zip archive for auditors: entries, report, checkpoints, public key, VERIFY.md'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'privops;audit;help;log'= {
        }
        &'privops;audit;help;verify'= {
        }
        &'privops;audit;help;find'= {
        }
        &'privops;audit;help;report'= {
        }
        &'privops;audit;help;checkpoint'= {
        }
        &'privops;audit;help;export'= {
        }
        &'privops;audit;help;help'= {
        }
        &'privops;archive'= {
            cand --policy 'The policy folder'
            cand --state 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]'
            cand --format 'Output format'
            cand --color 'When to use colour'
            cand --actor 'Who is acting, as recorded in the audit trail [default: $USER]'
            cand -q 'Print no status messages (data is still printed)'
            cand --quiet 'Print no status messages (data is still printed)'
            cand -v 'Print more detail about what is done'
            cand --verbose 'Print more detail about what is done'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand verify 'Check an archive, certificate or receipt offline; exit 3 on any difference'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'privops;archive;verify'= {
            cand --identity 'An age identity file, for archives encrypted to recipients'
            cand --passphrase-env 'The environment variable holding the passphrase, for passphrase-encrypted archives'
            cand --trusted-key 'Also check authenticity: the controller''s Ed25519 public key (PEM), obtained apart from the archive; an audit archive must carry checkpoints signed by it. Without it, only integrity is checked: no key inside the archive is trusted'
            cand --policy 'The policy folder'
            cand --state 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]'
            cand --format 'Output format'
            cand --color 'When to use colour'
            cand --actor 'Who is acting, as recorded in the audit trail [default: $USER]'
            cand -q 'Print no status messages (data is still printed)'
            cand --quiet 'Print no status messages (data is still printed)'
            cand -v 'Print more detail about what is done'
            cand --verbose 'Print more detail about what is done'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'privops;archive;help'= {
            cand verify 'Check an archive, certificate or receipt offline; exit 3 on any difference'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'privops;archive;help;verify'= {
        }
        &'privops;archive;help;help'= {
        }
        &'privops;completions'= {
            cand --policy 'The policy folder'
            cand --state 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]'
            cand --format 'Output format'
            cand --color 'When to use colour'
            cand --actor 'Who is acting, as recorded in the audit trail [default: $USER]'
            cand -q 'Print no status messages (data is still printed)'
            cand --quiet 'Print no status messages (data is still printed)'
            cand -v 'Print more detail about what is done'
            cand --verbose 'Print more detail about what is done'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'privops;man'= {
            cand --out 'The folder to write into'
            cand --policy 'The policy folder'
            cand --state 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]'
            cand --format 'Output format'
            cand --color 'When to use colour'
            cand --actor 'Who is acting, as recorded in the audit trail [default: $USER]'
            cand -q 'Print no status messages (data is still printed)'
            cand --quiet 'Print no status messages (data is still printed)'
            cand -v 'Print more detail about what is done'
            cand --verbose 'Print more detail about what is done'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'privops;help'= {
            cand demo 'Set up a demo workspace: example policies, synthetic databases, a state store'
            cand init 'Create the state store and subject key beside an existing policy folder'
            cand policy 'Check the policy (and its drift from the live schemas); write the Art. 30 record'
            cand scan 'Sample live data: identifiers where the policy says there are none'
            cand purpose 'The purposes of processing and the versions of their consent texts'
            cand consent 'Record, withdraw, check, export and import consent per purpose'
            cand object 'Record an objection to a purpose (Art. 21), or lift it'
            cand restrict 'Restrict all processing of a subject''s data (Art. 18), or lift it'
            cand processing 'May this subject''s data be processed for this purpose? (exit 0 / 3)'
            cand notice 'Versions of the privacy notice and who acknowledged them'
            cand request 'Data-subject requests and their deadlines; confirm manual tasks'
            cand access 'Export everything held about a subject into an archive'
            cand rectify 'Correct a subject''s data across sources and providers (Art. 16, 19)'
            cand erase 'Erase subjects across every source and provider: plan, confirm, execute, verify'
            cand offboard 'Offboard a client account: export, roll up, delete everywhere, certify'
            cand retention 'Retention: what is due and why (plan), and the sweep that deletes or rolls it up'
            cand audit 'The hash-chained audit trail: log, verify, find, report, checkpoint, export'
            cand archive 'Verify an archive, a deletion certificate or an erasure receipt offline'
            cand completions 'Print a shell completion script'
            cand man 'Write man pages for privops and each of its commands'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'privops;help;demo'= {
        }
        &'privops;help;init'= {
        }
        &'privops;help;policy'= {
            cand check 'Validate the policy folder; with --live, compare it with the real schemas'
            cand map 'Write the Art. 30 record of processing and the data map (md, csv or json)'
            cand init 'Draft a policy folder from a live database, every guess marked for review'
            cand import 'Convert a Fides dataset description into a policy folder'
        }
        &'privops;help;policy;check'= {
        }
        &'privops;help;policy;map'= {
        }
        &'privops;help;policy;init'= {
        }
        &'privops;help;policy;import'= {
        }
        &'privops;help;scan'= {
        }
        &'privops;help;purpose'= {
            cand list 'List the purposes of the policy with their current consent version'
            cand show 'Show one purpose, its consent text and its version history'
        }
        &'privops;help;purpose;list'= {
        }
        &'privops;help;purpose;show'= {
        }
        &'privops;help;consent'= {
            cand grant 'Record that a subject gave consent to a purpose'
            cand withdraw 'Record that a subject withdrew consent to a purpose'
            cand check 'Does consent stand for the current version? Exit 0 yes, 3 no'
            cand history 'Every consent event of a subject'
            cand export 'Write the consent state at a moment in time to CSV'
            cand import 'Append events from a CSV file, all or nothing; re-importing adds nothing'
        }
        &'privops;help;consent;grant'= {
        }
        &'privops;help;consent;withdraw'= {
        }
        &'privops;help;consent;check'= {
        }
        &'privops;help;consent;history'= {
        }
        &'privops;help;consent;export'= {
        }
        &'privops;help;consent;import'= {
        }
        &'privops;help;object'= {
        }
        &'privops;help;restrict'= {
        }
        &'privops;help;processing'= {
            cand check 'May this subject''s data be processed for this purpose? Exit 0 yes, 3 no'
        }
        &'privops;help;processing;check'= {
        }
        &'privops;help;notice'= {
            cand publish 'Record a version of the privacy notice (the SHA-256 of its text)'
            cand ack 'Record that a subject acknowledged the notice in force'
            cand pending 'Who has not acknowledged the notice in force (text, JSON, CSV)'
            cand list 'The versions published'
        }
        &'privops;help;notice;publish'= {
        }
        &'privops;help;notice;ack'= {
        }
        &'privops;help;notice;pending'= {
        }
        &'privops;help;notice;list'= {
        }
        &'privops;help;request'= {
            cand open 'Record a request received from a data subject; prints its id and due date'
            cand list 'List requests; --overdue exits 3 when any is overdue'
            cand show 'Show a request with its tasks'
            cand extend 'Extend a request''s deadline once by up to two months, with a reason'
            cand close 'Close a request whose tasks are all done'
            cand confirm-manual 'Confirm that a manual task (a provider without an API) was done'
        }
        &'privops;help;request;open'= {
        }
        &'privops;help;request;list'= {
        }
        &'privops;help;request;show'= {
        }
        &'privops;help;request;extend'= {
        }
        &'privops;help;request;close'= {
        }
        &'privops;help;request;confirm-manual'= {
        }
        &'privops;help;access'= {
        }
        &'privops;help;rectify'= {
        }
        &'privops;help;erase'= {
        }
        &'privops;help;offboard'= {
        }
        &'privops;help;retention'= {
            cand plan 'Per table: the rule, the cutoff, the rows due and the rows holds keep'
            cand sweep 'Delete, anonymise or roll up the rows past their period, in short chunks'
        }
        &'privops;help;retention;plan'= {
        }
        &'privops;help;retention;sweep'= {
        }
        &'privops;help;audit'= {
            cand log 'Show audit entries, oldest first'
            cand verify 'Recompute the hash chain and check every signed checkpoint; exit 3 when broken'
            cand find 'The entries about a subject, found by their keyed reference (works after erasure)'
            cand report 'The accountability report for a period (md, html, csv or json)'
            cand checkpoint 'Sign the chain''s size and head hash with an Ed25519 key'
            cand export 'A zip archive for auditors: entries, report, checkpoints, public key, VERIFY.md'
        }
        &'privops;help;audit;log'= {
        }
        &'privops;help;audit;verify'= {
        }
        &'privops;help;audit;find'= {
        }
        &'privops;help;audit;report'= {
        }
        &'privops;help;audit;checkpoint'= {
        }
        &'privops;help;audit;export'= {
        }
        &'privops;help;archive'= {
            cand verify 'Check an archive, certificate or receipt offline; exit 3 on any difference'
        }
        &'privops;help;archive;verify'= {
        }
        &'privops;help;completions'= {
        }
        &'privops;help;man'= {
        }
        &'privops;help;help'= {
        }
    ]
    $completions[$command]
}
