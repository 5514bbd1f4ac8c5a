
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'privops' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'privops'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'privops' {
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'The policy folder')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'Who is acting, as recorded in the audit trail [default: $USER]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('demo', 'demo', [CompletionResultType]::ParameterValue, 'Set up a demo workspace: example policies, synthetic databases, a state store')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Create the state store and subject key beside an existing policy folder')
            [CompletionResult]::new('policy', 'policy', [CompletionResultType]::ParameterValue, 'Check the policy (and its drift from the live schemas); write the Art. 30 record')
            [CompletionResult]::new('scan', 'scan', [CompletionResultType]::ParameterValue, 'Sample live data: identifiers where the policy says there are none')
            [CompletionResult]::new('purpose', 'purpose', [CompletionResultType]::ParameterValue, 'The purposes of processing and the versions of their consent texts')
            [CompletionResult]::new('consent', 'consent', [CompletionResultType]::ParameterValue, 'Record, withdraw, check, export and import consent per purpose')
            [CompletionResult]::new('object', 'object', [CompletionResultType]::ParameterValue, 'Record an objection to a purpose (Art. 21), or lift it')
            [CompletionResult]::new('restrict', 'restrict', [CompletionResultType]::ParameterValue, 'Restrict all processing of a subject''s data (Art. 18), or lift it')
            [CompletionResult]::new('processing', 'processing', [CompletionResultType]::ParameterValue, 'May this subject''s data be processed for this purpose? (exit 0 / 3)')
            [CompletionResult]::new('notice', 'notice', [CompletionResultType]::ParameterValue, 'Versions of the privacy notice and who acknowledged them')
            [CompletionResult]::new('request', 'request', [CompletionResultType]::ParameterValue, 'Data-subject requests and their deadlines; confirm manual tasks')
            [CompletionResult]::new('access', 'access', [CompletionResultType]::ParameterValue, 'Export everything held about a subject into an archive')
            [CompletionResult]::new('rectify', 'rectify', [CompletionResultType]::ParameterValue, 'Correct a subject''s data across sources and providers (Art. 16, 19)')
            [CompletionResult]::new('erase', 'erase', [CompletionResultType]::ParameterValue, 'Erase subjects across every source and provider: plan, confirm, execute, verify')
            [CompletionResult]::new('offboard', 'offboard', [CompletionResultType]::ParameterValue, 'Offboard a client account: export, roll up, delete everywhere, certify')
            [CompletionResult]::new('retention', 'retention', [CompletionResultType]::ParameterValue, 'Retention: what is due and why (plan), and the sweep that deletes or rolls it up')
            [CompletionResult]::new('audit', 'audit', [CompletionResultType]::ParameterValue, 'The hash-chained audit trail: log, verify, find, report, checkpoint, export')
            [CompletionResult]::new('archive', 'archive', [CompletionResultType]::ParameterValue, 'Verify an archive, a deletion certificate or an erasure receipt offline')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Write man pages for privops and each of its commands')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'privops;demo' {
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'Where to create the workspace')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'The policy folder')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'Who is acting, as recorded in the audit trail [default: $USER]')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Recreate the workspace if it exists')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'privops;init' {
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'The policy folder')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'Who is acting, as recorded in the audit trail [default: $USER]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'privops;policy' {
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'The policy folder')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'Who is acting, as recorded in the audit trail [default: $USER]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Validate the policy folder; with --live, compare it with the real schemas')
            [CompletionResult]::new('map', 'map', [CompletionResultType]::ParameterValue, 'Write the Art. 30 record of processing and the data map (md, csv or json)')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Draft a policy folder from a live database, every guess marked for review')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Convert a Fides dataset description into a policy folder')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'privops;policy;check' {
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'The policy folder')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'Who is acting, as recorded in the audit trail [default: $USER]')
            [CompletionResult]::new('--live', '--live', [CompletionResultType]::ParameterName, 'Also connect to every source and report drift between policy and database')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'privops;policy;map' {
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Write to this file instead of stdout')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'The policy folder')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'Who is acting, as recorded in the audit trail [default: $USER]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'privops;policy;init' {
            [CompletionResult]::new('--from-live', '--from-live', [CompletionResultType]::ParameterName, 'The environment variable holding the database''s URL (sqlite://, postgres://, mysql://)')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'The folder to write the draft into')
            [CompletionResult]::new('--source-id', '--source-id', [CompletionResultType]::ParameterName, 'The source''s id [default: the variable''s name, lower-case, without _URL]')
            [CompletionResult]::new('--sample', '--sample', [CompletionResultType]::ParameterName, 'Rows sampled per table to classify columns by their values')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'The policy folder')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'Who is acting, as recorded in the audit trail [default: $USER]')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Replace the draft''s files where they exist')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'privops;policy;import' {
            [CompletionResult]::new('--fides', '--fides', [CompletionResultType]::ParameterName, 'The Fides dataset file (YAML)')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'The folder to write the policy into')
            [CompletionResult]::new('--engine', '--engine', [CompletionResultType]::ParameterName, 'The database engine the dataset describes')
            [CompletionResult]::new('--url-env', '--url-env', [CompletionResultType]::ParameterName, 'The environment variable that will hold its URL [default: ID_URL]')
            [CompletionResult]::new('--source-id', '--source-id', [CompletionResultType]::ParameterName, 'The source''s id [default: the dataset''s fides_key]')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'The policy folder')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'Who is acting, as recorded in the audit trail [default: $USER]')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Replace the policy''s files where they exist')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'privops;policy;help' {
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Validate the policy folder; with --live, compare it with the real schemas')
            [CompletionResult]::new('map', 'map', [CompletionResultType]::ParameterValue, 'Write the Art. 30 record of processing and the data map (md, csv or json)')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Draft a policy folder from a live database, every guess marked for review')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Convert a Fides dataset description into a policy folder')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'privops;policy;help;check' {
            break
        }
        'privops;policy;help;map' {
            break
        }
        'privops;policy;help;init' {
            break
        }
        'privops;policy;help;import' {
            break
        }
        'privops;policy;help;help' {
            break
        }
        'privops;scan' {
            [CompletionResult]::new('--source', '--source', [CompletionResultType]::ParameterName, 'Only this source')
            [CompletionResult]::new('--table', '--table', [CompletionResultType]::ParameterName, 'Only this table')
            [CompletionResult]::new('--sample', '--sample', [CompletionResultType]::ParameterName, 'Rows sampled per table (the whole table when it has fewer)')
            [CompletionResult]::new('--max-duration', '--max-duration', [CompletionResultType]::ParameterName, 'Read no new table after this long (`30s`, `5m`); exit 4 when cut short')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'The policy folder')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'Who is acting, as recorded in the audit trail [default: $USER]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'privops;purpose' {
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'The policy folder')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'Who is acting, as recorded in the audit trail [default: $USER]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the purposes of the policy with their current consent version')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one purpose, its consent text and its version history')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'privops;purpose;list' {
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'The policy folder')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'Who is acting, as recorded in the audit trail [default: $USER]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'privops;purpose;show' {
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'The policy folder')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'Who is acting, as recorded in the audit trail [default: $USER]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'privops;purpose;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the purposes of the policy with their current consent version')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one purpose, its consent text and its version history')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'privops;purpose;help;list' {
            break
        }
        'privops;purpose;help;show' {
            break
        }
        'privops;purpose;help;help' {
            break
        }
        'privops;consent' {
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'The policy folder')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'Who is acting, as recorded in the audit trail [default: $USER]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('grant', 'grant', [CompletionResultType]::ParameterValue, 'Record that a subject gave consent to a purpose')
            [CompletionResult]::new('withdraw', 'withdraw', [CompletionResultType]::ParameterValue, 'Record that a subject withdrew consent to a purpose')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Does consent stand for the current version? Exit 0 yes, 3 no')
            [CompletionResult]::new('history', 'history', [CompletionResultType]::ParameterValue, 'Every consent event of a subject')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write the consent state at a moment in time to CSV')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Append events from a CSV file, all or nothing; re-importing adds nothing')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'privops;consent;grant' {
            [CompletionResult]::new('--subject', '--subject', [CompletionResultType]::ParameterName, 'The subject, KIND:VALUE (e.g. email:alice@example.com)')
            [CompletionResult]::new('--purpose', '--purpose', [CompletionResultType]::ParameterName, 'The purpose id (its lawful basis must be consent)')
            [CompletionResult]::new('--channel', '--channel', [CompletionResultType]::ParameterName, 'How the subject expressed it')
            [CompletionResult]::new('--evidence', '--evidence', [CompletionResultType]::ParameterName, 'Evidence kept with the event (a form id, a message id, a scan reference)')
            [CompletionResult]::new('--at', '--at', [CompletionResultType]::ParameterName, 'When it happened (RFC 3339) [default: now]')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'The policy folder')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'Who is acting, as recorded in the audit trail [default: $USER]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'privops;consent;withdraw' {
            [CompletionResult]::new('--subject', '--subject', [CompletionResultType]::ParameterName, 'The subject, KIND:VALUE (e.g. email:alice@example.com)')
            [CompletionResult]::new('--purpose', '--purpose', [CompletionResultType]::ParameterName, 'The purpose id (its lawful basis must be consent)')
            [CompletionResult]::new('--channel', '--channel', [CompletionResultType]::ParameterName, 'How the subject expressed it')
            [CompletionResult]::new('--evidence', '--evidence', [CompletionResultType]::ParameterName, 'Evidence kept with the event (a form id, a message id, a scan reference)')
            [CompletionResult]::new('--at', '--at', [CompletionResultType]::ParameterName, 'When it happened (RFC 3339) [default: now]')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'The policy folder')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'Who is acting, as recorded in the audit trail [default: $USER]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'privops;consent;check' {
            [CompletionResult]::new('--subject', '--subject', [CompletionResultType]::ParameterName, 'The subject, KIND:VALUE')
            [CompletionResult]::new('--purpose', '--purpose', [CompletionResultType]::ParameterName, 'The purpose id')
            [CompletionResult]::new('--batch', '--batch', [CompletionResultType]::ParameterName, 'Read subjects (one KIND:VALUE per line) from FILE, or `-` for stdin; print one verdict per line. Exit 0 when all stand, 3 when any does not')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'The policy folder')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'Who is acting, as recorded in the audit trail [default: $USER]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'privops;consent;history' {
            [CompletionResult]::new('--subject', '--subject', [CompletionResultType]::ParameterName, 'The subject, KIND:VALUE')
            [CompletionResult]::new('--purpose', '--purpose', [CompletionResultType]::ParameterName, 'Only this purpose')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'The policy folder')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'Who is acting, as recorded in the audit trail [default: $USER]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'privops;consent;export' {
            [CompletionResult]::new('--purpose', '--purpose', [CompletionResultType]::ParameterName, 'Only this purpose [default: every consent purpose]')
            [CompletionResult]::new('--as-of', '--as-of', [CompletionResultType]::ParameterName, 'The moment whose state is exported (RFC 3339 or a date) [default: now]')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'The file to write')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'The policy folder')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'Who is acting, as recorded in the audit trail [default: $USER]')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Replace the file if it exists')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'privops;consent;import' {
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'The policy folder')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'Who is acting, as recorded in the audit trail [default: $USER]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'privops;consent;help' {
            [CompletionResult]::new('grant', 'grant', [CompletionResultType]::ParameterValue, 'Record that a subject gave consent to a purpose')
            [CompletionResult]::new('withdraw', 'withdraw', [CompletionResultType]::ParameterValue, 'Record that a subject withdrew consent to a purpose')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Does consent stand for the current version? Exit 0 yes, 3 no')
            [CompletionResult]::new('history', 'history', [CompletionResultType]::ParameterValue, 'Every consent event of a subject')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write the consent state at a moment in time to CSV')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Append events from a CSV file, all or nothing; re-importing adds nothing')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'privops;consent;help;grant' {
            break
        }
        'privops;consent;help;withdraw' {
            break
        }
        'privops;consent;help;check' {
            break
        }
        'privops;consent;help;history' {
            break
        }
        'privops;consent;help;export' {
            break
        }
        'privops;consent;help;import' {
            break
        }
        'privops;consent;help;help' {
            break
        }
        'privops;object' {
            [CompletionResult]::new('--subject', '--subject', [CompletionResultType]::ParameterName, 'The subject, KIND:VALUE')
            [CompletionResult]::new('--purpose', '--purpose', [CompletionResultType]::ParameterName, 'The purpose objected to')
            [CompletionResult]::new('--ground', '--ground', [CompletionResultType]::ParameterName, 'Why the objection is lifted')
            [CompletionResult]::new('--request', '--request', [CompletionResultType]::ParameterName, 'The request this answers (its kind must match); it is closed once recorded')
            [CompletionResult]::new('--at', '--at', [CompletionResultType]::ParameterName, 'When the subject asked (RFC 3339 or a date) [default: now]')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'The policy folder')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'Who is acting, as recorded in the audit trail [default: $USER]')
            [CompletionResult]::new('--lift', '--lift', [CompletionResultType]::ParameterName, 'End the objection: --ground compelling-grounds (Art. 21(1), never for direct marketing) or --ground withdrawn (the subject took it back)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'privops;restrict' {
            [CompletionResult]::new('--subject', '--subject', [CompletionResultType]::ParameterName, 'The subject, KIND:VALUE')
            [CompletionResult]::new('--ground', '--ground', [CompletionResultType]::ParameterName, 'Why (Art. 18(1)): accuracy, unlawful, legal-claims, objection-pending; with --lift, withdrawn')
            [CompletionResult]::new('--request', '--request', [CompletionResultType]::ParameterName, 'The request this answers (its kind must match); it is closed once recorded')
            [CompletionResult]::new('--at', '--at', [CompletionResultType]::ParameterName, 'When the subject asked (RFC 3339 or a date) [default: now]')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'The policy folder')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'Who is acting, as recorded in the audit trail [default: $USER]')
            [CompletionResult]::new('--lift', '--lift', [CompletionResultType]::ParameterName, 'End the restriction (Art. 18(3): tell the subject first)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'privops;processing' {
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'The policy folder')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'Who is acting, as recorded in the audit trail [default: $USER]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'May this subject''s data be processed for this purpose? Exit 0 yes, 3 no')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'privops;processing;check' {
            [CompletionResult]::new('--subject', '--subject', [CompletionResultType]::ParameterName, 'The subject, KIND:VALUE')
            [CompletionResult]::new('--purpose', '--purpose', [CompletionResultType]::ParameterName, 'The purpose id')
            [CompletionResult]::new('--batch', '--batch', [CompletionResultType]::ParameterName, 'Read subjects (one KIND:VALUE per line) from FILE, or `-` for stdin; print one verdict per line. Exit 0 when all stand, 3 when any does not')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'The policy folder')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'Who is acting, as recorded in the audit trail [default: $USER]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'privops;processing;help' {
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'May this subject''s data be processed for this purpose? Exit 0 yes, 3 no')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'privops;processing;help;check' {
            break
        }
        'privops;processing;help;help' {
            break
        }
        'privops;notice' {
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'The policy folder')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'Who is acting, as recorded in the audit trail [default: $USER]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('publish', 'publish', [CompletionResultType]::ParameterValue, 'Record a version of the privacy notice (the SHA-256 of its text)')
            [CompletionResult]::new('ack', 'ack', [CompletionResultType]::ParameterValue, 'Record that a subject acknowledged the notice in force')
            [CompletionResult]::new('pending', 'pending', [CompletionResultType]::ParameterValue, 'Who has not acknowledged the notice in force (text, JSON, CSV)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'The versions published')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'privops;notice;publish' {
            [CompletionResult]::new('--title', '--title', [CompletionResultType]::ParameterName, 'The notice''s title, e.g. "Privacy policy, December 2026"')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'The notice''s text (UTF-8, up to 1 MiB)')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'The policy folder')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'Who is acting, as recorded in the audit trail [default: $USER]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'privops;notice;ack' {
            [CompletionResult]::new('--subject', '--subject', [CompletionResultType]::ParameterName, 'The subject, KIND:VALUE')
            [CompletionResult]::new('--notice-version', '--notice-version', [CompletionResultType]::ParameterName, 'The version acknowledged [default: the one in force]')
            [CompletionResult]::new('--at', '--at', [CompletionResultType]::ParameterName, 'When (RFC 3339 or a date) [default: now]')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'The policy folder')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'Who is acting, as recorded in the audit trail [default: $USER]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'privops;notice;pending' {
            [CompletionResult]::new('--purpose', '--purpose', [CompletionResultType]::ParameterName, 'Instead: the people whose consent to this purpose stands on an older text')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'The policy folder')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'Who is acting, as recorded in the audit trail [default: $USER]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'privops;notice;list' {
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'The policy folder')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'Who is acting, as recorded in the audit trail [default: $USER]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'privops;notice;help' {
            [CompletionResult]::new('publish', 'publish', [CompletionResultType]::ParameterValue, 'Record a version of the privacy notice (the SHA-256 of its text)')
            [CompletionResult]::new('ack', 'ack', [CompletionResultType]::ParameterValue, 'Record that a subject acknowledged the notice in force')
            [CompletionResult]::new('pending', 'pending', [CompletionResultType]::ParameterValue, 'Who has not acknowledged the notice in force (text, JSON, CSV)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'The versions published')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'privops;notice;help;publish' {
            break
        }
        'privops;notice;help;ack' {
            break
        }
        'privops;notice;help;pending' {
            break
        }
        'privops;notice;help;list' {
            break
        }
        'privops;notice;help;help' {
            break
        }
        'privops;request' {
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'The policy folder')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'Who is acting, as recorded in the audit trail [default: $USER]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('open', 'open', [CompletionResultType]::ParameterValue, 'Record a request received from a data subject; prints its id and due date')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List requests; --overdue exits 3 when any is overdue')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show a request with its tasks')
            [CompletionResult]::new('extend', 'extend', [CompletionResultType]::ParameterValue, 'Extend a request''s deadline once by up to two months, with a reason')
            [CompletionResult]::new('close', 'close', [CompletionResultType]::ParameterValue, 'Close a request whose tasks are all done')
            [CompletionResult]::new('confirm-manual', 'confirm-manual', [CompletionResultType]::ParameterValue, 'Confirm that a manual task (a provider without an API) was done')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'privops;request;open' {
            [CompletionResult]::new('--kind', '--kind', [CompletionResultType]::ParameterName, 'kind')
            [CompletionResult]::new('--subject', '--subject', [CompletionResultType]::ParameterName, 'The subject, KIND:VALUE')
            [CompletionResult]::new('--received', '--received', [CompletionResultType]::ParameterName, 'When the request was received (RFC 3339 or a date) [default: now]')
            [CompletionResult]::new('--note', '--note', [CompletionResultType]::ParameterName, 'A note kept with the request')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'The policy folder')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'Who is acting, as recorded in the audit trail [default: $USER]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'privops;request;list' {
            [CompletionResult]::new('--due-within', '--due-within', [CompletionResultType]::ParameterName, 'Only open requests due within this many days')
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Only requests with this status')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'The policy folder')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'Who is acting, as recorded in the audit trail [default: $USER]')
            [CompletionResult]::new('--overdue', '--overdue', [CompletionResultType]::ParameterName, 'Only open requests past their deadline (exit 3 when there are any)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'privops;request;show' {
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'The policy folder')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'Who is acting, as recorded in the audit trail [default: $USER]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'privops;request;extend' {
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why more time is needed (recorded, and owed to the subject)')
            [CompletionResult]::new('--months', '--months', [CompletionResultType]::ParameterName, 'By how many months (1 or 2)')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'The policy folder')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'Who is acting, as recorded in the audit trail [default: $USER]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'privops;request;close' {
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'The policy folder')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'Who is acting, as recorded in the audit trail [default: $USER]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'privops;request;confirm-manual' {
            [CompletionResult]::new('--note', '--note', [CompletionResultType]::ParameterName, 'What was done, kept with the task')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'The policy folder')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'Who is acting, as recorded in the audit trail [default: $USER]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'privops;request;help' {
            [CompletionResult]::new('open', 'open', [CompletionResultType]::ParameterValue, 'Record a request received from a data subject; prints its id and due date')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List requests; --overdue exits 3 when any is overdue')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show a request with its tasks')
            [CompletionResult]::new('extend', 'extend', [CompletionResultType]::ParameterValue, 'Extend a request''s deadline once by up to two months, with a reason')
            [CompletionResult]::new('close', 'close', [CompletionResultType]::ParameterValue, 'Close a request whose tasks are all done')
            [CompletionResult]::new('confirm-manual', 'confirm-manual', [CompletionResultType]::ParameterValue, 'Confirm that a manual task (a provider without an API) was done')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'privops;request;help;open' {
            break
        }
        'privops;request;help;list' {
            break
        }
        'privops;request;help;show' {
            break
        }
        'privops;request;help;extend' {
            break
        }
        'privops;request;help;close' {
            break
        }
        'privops;request;help;confirm-manual' {
            break
        }
        'privops;request;help;help' {
            break
        }
        'privops;access' {
            [CompletionResult]::new('--subject', '--subject', [CompletionResultType]::ParameterName, 'The subject, KIND:VALUE; repeat for several identities of one person')
            [CompletionResult]::new('--request', '--request', [CompletionResultType]::ParameterName, 'The request this export answers')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'The file to write')
            [CompletionResult]::new('--recipient', '--recipient', [CompletionResultType]::ParameterName, 'Encrypt to this age public key (age1...); repeatable')
            [CompletionResult]::new('--passphrase-env', '--passphrase-env', [CompletionResultType]::ParameterName, 'Encrypt with the passphrase held in this environment variable')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'The policy folder')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'Who is acting, as recorded in the audit trail [default: $USER]')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Replace the file if it exists')
            [CompletionResult]::new('--no-providers', '--no-providers', [CompletionResultType]::ParameterName, 'Do not query provider APIs (recorded in the archive and the audit trail)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'privops;rectify' {
            [CompletionResult]::new('--subject', '--subject', [CompletionResultType]::ParameterName, 'The subject, KIND:VALUE [default: the request''s]')
            [CompletionResult]::new('--set', '--set', [CompletionResultType]::ParameterName, 'A correction: a category (user.contact.email) or SOURCE.TABLE.COLUMN, and the corrected value; repeat for several')
            [CompletionResult]::new('--request', '--request', [CompletionResultType]::ParameterName, 'The rectification request this answers; one is opened otherwise')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'The policy folder')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'Who is acting, as recorded in the audit trail [default: $USER]')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would be done (with the SQL under --format json) and change nothing')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required without a terminal)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'privops;erase' {
            [CompletionResult]::new('--subject', '--subject', [CompletionResultType]::ParameterName, 'A subject, KIND:VALUE; repeatable')
            [CompletionResult]::new('--subjects-file', '--subjects-file', [CompletionResultType]::ParameterName, 'Read subjects (one KIND:VALUE per line, `#` comments) from FILE, or `-` for stdin')
            [CompletionResult]::new('--request', '--request', [CompletionResultType]::ParameterName, 'The erasure request this answers (one subject); one is opened otherwise')
            [CompletionResult]::new('--receipt-dir', '--receipt-dir', [CompletionResultType]::ParameterName, 'Where to write the receipt [default: .privops/receipts beside the policy folder]')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'The policy folder')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'Who is acting, as recorded in the audit trail [default: $USER]')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would be done (with the SQL under --format json) and change nothing')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required without a terminal)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'privops;offboard' {
            [CompletionResult]::new('--tenant', '--tenant', [CompletionResultType]::ParameterName, 'The account''s key, as the policy''s [tenant] table holds it')
            [CompletionResult]::new('--request', '--request', [CompletionResultType]::ParameterName, 'The instruction this answers, as a reference (a ticket number): recorded in the audit trail and the certificate')
            [CompletionResult]::new('--export', '--export', [CompletionResultType]::ParameterName, 'First write the account''s data into this archive (the access export''s format)')
            [CompletionResult]::new('--recipient', '--recipient', [CompletionResultType]::ParameterName, 'Encrypt the export to this age public key (age1...); repeatable')
            [CompletionResult]::new('--passphrase-env', '--passphrase-env', [CompletionResultType]::ParameterName, 'Encrypt the export with the passphrase held in this environment variable')
            [CompletionResult]::new('--confirm-task', '--confirm-task', [CompletionResultType]::ParameterName, 'Confirm that a manual task of the unfinished offboarding is done; repeatable')
            [CompletionResult]::new('--note', '--note', [CompletionResultType]::ParameterName, 'A note kept with the confirmed tasks (who was asked, a ticket)')
            [CompletionResult]::new('--certificate-dir', '--certificate-dir', [CompletionResultType]::ParameterName, 'Where to write the certificate [default: .privops/certificates beside the policy folder]')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'The audit signing key that signs the certificate [default: .privops/audit-signing.key]')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'The policy folder')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'Who is acting, as recorded in the audit trail [default: $USER]')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would be done (with the SQL under --format json) and change nothing')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required without a terminal)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'privops;retention' {
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'The policy folder')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'Who is acting, as recorded in the audit trail [default: $USER]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('plan', 'plan', [CompletionResultType]::ParameterValue, 'Per table: the rule, the cutoff, the rows due and the rows holds keep')
            [CompletionResult]::new('sweep', 'sweep', [CompletionResultType]::ParameterValue, 'Delete, anonymise or roll up the rows past their period, in short chunks')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'privops;retention;plan' {
            [CompletionResult]::new('--source', '--source', [CompletionResultType]::ParameterName, 'Only this source')
            [CompletionResult]::new('--table', '--table', [CompletionResultType]::ParameterName, 'Only this table')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'The policy folder')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'Who is acting, as recorded in the audit trail [default: $USER]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'privops;retention;sweep' {
            [CompletionResult]::new('--source', '--source', [CompletionResultType]::ParameterName, 'Only this source')
            [CompletionResult]::new('--table', '--table', [CompletionResultType]::ParameterName, 'Only this table')
            [CompletionResult]::new('--batch-size', '--batch-size', [CompletionResultType]::ParameterName, 'Rows per chunk (each chunk is one short transaction) [default: adapts, from 20000]')
            [CompletionResult]::new('--max-duration', '--max-duration', [CompletionResultType]::ParameterName, 'Stop after this long (e.g. 10m, 1h); a later sweep finishes the job')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'The policy folder')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'Who is acting, as recorded in the audit trail [default: $USER]')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would be done (with the SQL under --format json) and change nothing')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'privops;retention;help' {
            [CompletionResult]::new('plan', 'plan', [CompletionResultType]::ParameterValue, 'Per table: the rule, the cutoff, the rows due and the rows holds keep')
            [CompletionResult]::new('sweep', 'sweep', [CompletionResultType]::ParameterValue, 'Delete, anonymise or roll up the rows past their period, in short chunks')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'privops;retention;help;plan' {
            break
        }
        'privops;retention;help;sweep' {
            break
        }
        'privops;retention;help;help' {
            break
        }
        'privops;audit' {
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'The policy folder')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'Who is acting, as recorded in the audit trail [default: $USER]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('log', 'log', [CompletionResultType]::ParameterValue, 'Show audit entries, oldest first')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Recompute the hash chain and check every signed checkpoint; exit 3 when broken')
            [CompletionResult]::new('find', 'find', [CompletionResultType]::ParameterValue, 'The entries about a subject, found by their keyed reference (works after erasure)')
            [CompletionResult]::new('report', 'report', [CompletionResultType]::ParameterValue, 'The accountability report for a period (md, html, csv or json)')
            [CompletionResult]::new('checkpoint', 'checkpoint', [CompletionResultType]::ParameterValue, 'Sign the chain''s size and head hash with an Ed25519 key')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'A zip archive for auditors: entries, report, checkpoints, public key, VERIFY.md')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'privops;audit;log' {
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'From this time (RFC 3339 or a date), inclusive')
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'Up to this time (RFC 3339 or a date), exclusive')
            [CompletionResult]::new('--action', '--action', [CompletionResultType]::ParameterName, 'Only this action (`consent.grant`), or a family (`consent.*`)')
            [CompletionResult]::new('--subject', '--subject', [CompletionResultType]::ParameterName, 'Only entries about this subject (KIND:VALUE)')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'The policy folder')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'Who is acting, as recorded in the audit trail [default: $USER]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'privops;audit;verify' {
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'The Ed25519 signing key (PKCS#8 PEM) [default: .privops/audit-signing.key]')
            [CompletionResult]::new('--trusted-key', '--trusted-key', [CompletionResultType]::ParameterName, 'Check the checkpoints against this Ed25519 public key (PEM), kept apart from the store, instead of the signing key beside it; at least one checkpoint must be signed by it')
            [CompletionResult]::new('--expect-head', '--expect-head', [CompletionResultType]::ParameterName, 'Fail (exit 3) unless the chain still holds the entry with this hash: a head recorded earlier (from `audit verify` or `audit checkpoint`) catches a truncated or rewritten tail')
            [CompletionResult]::new('--max-checkpoint-age', '--max-checkpoint-age', [CompletionResultType]::ParameterName, 'Warn when no verified checkpoint is newer than this, counted back from the command''s time (e.g. 12h, 7d, 4w)')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'The policy folder')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'Who is acting, as recorded in the audit trail [default: $USER]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'privops;audit;find' {
            [CompletionResult]::new('--subject', '--subject', [CompletionResultType]::ParameterName, 'The subject, KIND:VALUE')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'The policy folder')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'Who is acting, as recorded in the audit trail [default: $USER]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'privops;audit;report' {
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'From this time (RFC 3339 or a date), inclusive')
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'Up to this time (RFC 3339 or a date), exclusive')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Write to this file instead of stdout')
            [CompletionResult]::new('--trusted-key', '--trusted-key', [CompletionResultType]::ParameterName, 'Check the checkpoints against this public key (PEM) instead of the workspace''s own signing key')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'The policy folder')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'Who is acting, as recorded in the audit trail [default: $USER]')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Replace the --out file if it exists')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'privops;audit;checkpoint' {
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'The Ed25519 signing key (PKCS#8 PEM) [default: .privops/audit-signing.key]')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'The policy folder')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'Who is acting, as recorded in the audit trail [default: $USER]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'privops;audit;export' {
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'From this time (RFC 3339 or a date), inclusive')
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'Up to this time (RFC 3339 or a date), exclusive')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'The file to write')
            [CompletionResult]::new('--recipient', '--recipient', [CompletionResultType]::ParameterName, 'Encrypt to this age public key; repeatable')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'The Ed25519 signing key (PKCS#8 PEM) [default: .privops/audit-signing.key]')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'The policy folder')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'Who is acting, as recorded in the audit trail [default: $USER]')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Replace the file if it exists')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'privops;audit;help' {
            [CompletionResult]::new('log', 'log', [CompletionResultType]::ParameterValue, 'Show audit entries, oldest first')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Recompute the hash chain and check every signed checkpoint; exit 3 when broken')
            [CompletionResult]::new('find', 'find', [CompletionResultType]::ParameterValue, 'The entries about a subject, found by their keyed reference (works after erasure)')
            [CompletionResult]::new('report', 'report', [CompletionResultType]::ParameterValue, 'The accountability report for a period (md, html, csv or json)')
            [CompletionResult]::new('checkpoint', 'checkpoint', [CompletionResultType]::ParameterValue, 'Sign the chain''s size and head hash with an Ed25519 key')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'A zip archive for auditors: entries, report, checkpoints, public key, VERIFY.md')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'privops;audit;help;log' {
            break
        }
        'privops;audit;help;verify' {
            break
        }
        'privops;audit;help;find' {
            break
        }
        'privops;audit;help;report' {
            break
        }
        'privops;audit;help;checkpoint' {
            break
        }
        'privops;audit;help;export' {
            break
        }
        'privops;audit;help;help' {
            break
        }
        'privops;archive' {
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'The policy folder')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'Who is acting, as recorded in the audit trail [default: $USER]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check an archive, certificate or receipt offline; exit 3 on any difference')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'privops;archive;verify' {
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'An age identity file, for archives encrypted to recipients')
            [CompletionResult]::new('--passphrase-env', '--passphrase-env', [CompletionResultType]::ParameterName, 'The environment variable holding the passphrase, for passphrase-encrypted archives')
            [CompletionResult]::new('--trusted-key', '--trusted-key', [CompletionResultType]::ParameterName, 'Also check authenticity: the controller''s Ed25519 public key (PEM), obtained apart from the archive; an audit archive must carry checkpoints signed by it. Without it, only integrity is checked: no key inside the archive is trusted')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'The policy folder')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'Who is acting, as recorded in the audit trail [default: $USER]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'privops;archive;help' {
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check an archive, certificate or receipt offline; exit 3 on any difference')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'privops;archive;help;verify' {
            break
        }
        'privops;archive;help;help' {
            break
        }
        'privops;completions' {
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'The policy folder')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'Who is acting, as recorded in the audit trail [default: $USER]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'privops;man' {
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'The folder to write into')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'The policy folder')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'Who is acting, as recorded in the audit trail [default: $USER]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no status messages (data is still printed)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail about what is done')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'privops;help' {
            [CompletionResult]::new('demo', 'demo', [CompletionResultType]::ParameterValue, 'Set up a demo workspace: example policies, synthetic databases, a state store')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Create the state store and subject key beside an existing policy folder')
            [CompletionResult]::new('policy', 'policy', [CompletionResultType]::ParameterValue, 'Check the policy (and its drift from the live schemas); write the Art. 30 record')
            [CompletionResult]::new('scan', 'scan', [CompletionResultType]::ParameterValue, 'Sample live data: identifiers where the policy says there are none')
            [CompletionResult]::new('purpose', 'purpose', [CompletionResultType]::ParameterValue, 'The purposes of processing and the versions of their consent texts')
            [CompletionResult]::new('consent', 'consent', [CompletionResultType]::ParameterValue, 'Record, withdraw, check, export and import consent per purpose')
            [CompletionResult]::new('object', 'object', [CompletionResultType]::ParameterValue, 'Record an objection to a purpose (Art. 21), or lift it')
            [CompletionResult]::new('restrict', 'restrict', [CompletionResultType]::ParameterValue, 'Restrict all processing of a subject''s data (Art. 18), or lift it')
            [CompletionResult]::new('processing', 'processing', [CompletionResultType]::ParameterValue, 'May this subject''s data be processed for this purpose? (exit 0 / 3)')
            [CompletionResult]::new('notice', 'notice', [CompletionResultType]::ParameterValue, 'Versions of the privacy notice and who acknowledged them')
            [CompletionResult]::new('request', 'request', [CompletionResultType]::ParameterValue, 'Data-subject requests and their deadlines; confirm manual tasks')
            [CompletionResult]::new('access', 'access', [CompletionResultType]::ParameterValue, 'Export everything held about a subject into an archive')
            [CompletionResult]::new('rectify', 'rectify', [CompletionResultType]::ParameterValue, 'Correct a subject''s data across sources and providers (Art. 16, 19)')
            [CompletionResult]::new('erase', 'erase', [CompletionResultType]::ParameterValue, 'Erase subjects across every source and provider: plan, confirm, execute, verify')
            [CompletionResult]::new('offboard', 'offboard', [CompletionResultType]::ParameterValue, 'Offboard a client account: export, roll up, delete everywhere, certify')
            [CompletionResult]::new('retention', 'retention', [CompletionResultType]::ParameterValue, 'Retention: what is due and why (plan), and the sweep that deletes or rolls it up')
            [CompletionResult]::new('audit', 'audit', [CompletionResultType]::ParameterValue, 'The hash-chained audit trail: log, verify, find, report, checkpoint, export')
            [CompletionResult]::new('archive', 'archive', [CompletionResultType]::ParameterValue, 'Verify an archive, a deletion certificate or an erasure receipt offline')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Write man pages for privops and each of its commands')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'privops;help;demo' {
            break
        }
        'privops;help;init' {
            break
        }
        'privops;help;policy' {
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Validate the policy folder; with --live, compare it with the real schemas')
            [CompletionResult]::new('map', 'map', [CompletionResultType]::ParameterValue, 'Write the Art. 30 record of processing and the data map (md, csv or json)')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Draft a policy folder from a live database, every guess marked for review')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Convert a Fides dataset description into a policy folder')
            break
        }
        'privops;help;policy;check' {
            break
        }
        'privops;help;policy;map' {
            break
        }
        'privops;help;policy;init' {
            break
        }
        'privops;help;policy;import' {
            break
        }
        'privops;help;scan' {
            break
        }
        'privops;help;purpose' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the purposes of the policy with their current consent version')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one purpose, its consent text and its version history')
            break
        }
        'privops;help;purpose;list' {
            break
        }
        'privops;help;purpose;show' {
            break
        }
        'privops;help;consent' {
            [CompletionResult]::new('grant', 'grant', [CompletionResultType]::ParameterValue, 'Record that a subject gave consent to a purpose')
            [CompletionResult]::new('withdraw', 'withdraw', [CompletionResultType]::ParameterValue, 'Record that a subject withdrew consent to a purpose')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Does consent stand for the current version? Exit 0 yes, 3 no')
            [CompletionResult]::new('history', 'history', [CompletionResultType]::ParameterValue, 'Every consent event of a subject')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write the consent state at a moment in time to CSV')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Append events from a CSV file, all or nothing; re-importing adds nothing')
            break
        }
        'privops;help;consent;grant' {
            break
        }
        'privops;help;consent;withdraw' {
            break
        }
        'privops;help;consent;check' {
            break
        }
        'privops;help;consent;history' {
            break
        }
        'privops;help;consent;export' {
            break
        }
        'privops;help;consent;import' {
            break
        }
        'privops;help;object' {
            break
        }
        'privops;help;restrict' {
            break
        }
        'privops;help;processing' {
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'May this subject''s data be processed for this purpose? Exit 0 yes, 3 no')
            break
        }
        'privops;help;processing;check' {
            break
        }
        'privops;help;notice' {
            [CompletionResult]::new('publish', 'publish', [CompletionResultType]::ParameterValue, 'Record a version of the privacy notice (the SHA-256 of its text)')
            [CompletionResult]::new('ack', 'ack', [CompletionResultType]::ParameterValue, 'Record that a subject acknowledged the notice in force')
            [CompletionResult]::new('pending', 'pending', [CompletionResultType]::ParameterValue, 'Who has not acknowledged the notice in force (text, JSON, CSV)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'The versions published')
            break
        }
        'privops;help;notice;publish' {
            break
        }
        'privops;help;notice;ack' {
            break
        }
        'privops;help;notice;pending' {
            break
        }
        'privops;help;notice;list' {
            break
        }
        'privops;help;request' {
            [CompletionResult]::new('open', 'open', [CompletionResultType]::ParameterValue, 'Record a request received from a data subject; prints its id and due date')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List requests; --overdue exits 3 when any is overdue')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show a request with its tasks')
            [CompletionResult]::new('extend', 'extend', [CompletionResultType]::ParameterValue, 'Extend a request''s deadline once by up to two months, with a reason')
            [CompletionResult]::new('close', 'close', [CompletionResultType]::ParameterValue, 'Close a request whose tasks are all done')
            [CompletionResult]::new('confirm-manual', 'confirm-manual', [CompletionResultType]::ParameterValue, 'Confirm that a manual task (a provider without an API) was done')
            break
        }
        'privops;help;request;open' {
            break
        }
        'privops;help;request;list' {
            break
        }
        'privops;help;request;show' {
            break
        }
        'privops;help;request;extend' {
            break
        }
        'privops;help;request;close' {
            break
        }
        'privops;help;request;confirm-manual' {
            break
        }
        'privops;help;access' {
            break
        }
        'privops;help;rectify' {
            break
        }
        'privops;help;erase' {
            break
        }
        'privops;help;offboard' {
            break
        }
        'privops;help;retention' {
            [CompletionResult]::new('plan', 'plan', [CompletionResultType]::ParameterValue, 'Per table: the rule, the cutoff, the rows due and the rows holds keep')
            [CompletionResult]::new('sweep', 'sweep', [CompletionResultType]::ParameterValue, 'Delete, anonymise or roll up the rows past their period, in short chunks')
            break
        }
        'privops;help;retention;plan' {
            break
        }
        'privops;help;retention;sweep' {
            break
        }
        'privops;help;audit' {
            [CompletionResult]::new('log', 'log', [CompletionResultType]::ParameterValue, 'Show audit entries, oldest first')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Recompute the hash chain and check every signed checkpoint; exit 3 when broken')
            [CompletionResult]::new('find', 'find', [CompletionResultType]::ParameterValue, 'The entries about a subject, found by their keyed reference (works after erasure)')
            [CompletionResult]::new('report', 'report', [CompletionResultType]::ParameterValue, 'The accountability report for a period (md, html, csv or json)')
            [CompletionResult]::new('checkpoint', 'checkpoint', [CompletionResultType]::ParameterValue, 'Sign the chain''s size and head hash with an Ed25519 key')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'A zip archive for auditors: entries, report, checkpoints, public key, VERIFY.md')
            break
        }
        'privops;help;audit;log' {
            break
        }
        'privops;help;audit;verify' {
            break
        }
        'privops;help;audit;find' {
            break
        }
        'privops;help;audit;report' {
            break
        }
        'privops;help;audit;checkpoint' {
            break
        }
        'privops;help;audit;export' {
            break
        }
        'privops;help;archive' {
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check an archive, certificate or receipt offline; exit 3 on any difference')
            break
        }
        'privops;help;archive;verify' {
            break
        }
        'privops;help;completions' {
            break
        }
        'privops;help;man' {
            break
        }
        'privops;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
