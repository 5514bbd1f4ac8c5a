# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_privops_global_optspecs
    string join \n policy= state= format= color= q/quiet v/verbose actor= h/help V/version
end

function __fish_privops_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_privops_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_privops_using_subcommand
    set -l cmd (__fish_privops_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c privops -n "__fish_privops_needs_command" -l policy -d 'The policy folder' -r -F
complete -c privops -n "__fish_privops_needs_command" -l state -d 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]' -r
complete -c privops -n "__fish_privops_needs_command" -l format -d 'Output format' -r -f -a "human\t'Tables and sentences for people'
json\t'JSON for scripts'
md\t'Markdown (reports and maps)'
csv\t'CSV (reports and maps)'
html\t'One self-contained HTML page (reports)'"
complete -c privops -n "__fish_privops_needs_command" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c privops -n "__fish_privops_needs_command" -l actor -d 'Who is acting, as recorded in the audit trail [default: $USER]' -r
complete -c privops -n "__fish_privops_needs_command" -s q -l quiet -d 'Print no status messages (data is still printed)'
complete -c privops -n "__fish_privops_needs_command" -s v -l verbose -d 'Print more detail about what is done'
complete -c privops -n "__fish_privops_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c privops -n "__fish_privops_needs_command" -s V -l version -d 'Print version'
complete -c privops -n "__fish_privops_needs_command" -f -a "demo" -d 'Set up a demo workspace: example policies, synthetic databases, a state store'
complete -c privops -n "__fish_privops_needs_command" -f -a "init" -d 'Create the state store and subject key beside an existing policy folder'
complete -c privops -n "__fish_privops_needs_command" -f -a "policy" -d 'Check the policy (and its drift from the live schemas); write the Art. 30 record'
complete -c privops -n "__fish_privops_needs_command" -f -a "scan" -d 'Sample live data: identifiers where the policy says there are none'
complete -c privops -n "__fish_privops_needs_command" -f -a "purpose" -d 'The purposes of processing and the versions of their consent texts'
complete -c privops -n "__fish_privops_needs_command" -f -a "consent" -d 'Record, withdraw, check, export and import consent per purpose'
complete -c privops -n "__fish_privops_needs_command" -f -a "object" -d 'Record an objection to a purpose (Art. 21), or lift it'
complete -c privops -n "__fish_privops_needs_command" -f -a "restrict" -d 'Restrict all processing of a subject\'s data (Art. 18), or lift it'
complete -c privops -n "__fish_privops_needs_command" -f -a "processing" -d 'May this subject\'s data be processed for this purpose? (exit 0 / 3)'
complete -c privops -n "__fish_privops_needs_command" -f -a "notice" -d 'Versions of the privacy notice and who acknowledged them'
complete -c privops -n "__fish_privops_needs_command" -f -a "request" -d 'Data-subject requests and their deadlines; confirm manual tasks'
complete -c privops -n "__fish_privops_needs_command" -f -a "access" -d 'Export everything held about a subject into an archive'
complete -c privops -n "__fish_privops_needs_command" -f -a "rectify" -d 'Correct a subject\'s data across sources and providers (Art. 16, 19)'
complete -c privops -n "__fish_privops_needs_command" -f -a "erase" -d 'Erase subjects across every source and provider: plan, confirm, execute, verify'
complete -c privops -n "__fish_privops_needs_command" -f -a "offboard" -d 'Offboard a client account: export, roll up, delete everywhere, certify'
complete -c privops -n "__fish_privops_needs_command" -f -a "retention" -d 'Retention: what is due and why (plan), and the sweep that deletes or rolls it up'
complete -c privops -n "__fish_privops_needs_command" -f -a "audit" -d 'The hash-chained audit trail: log, verify, find, report, checkpoint, export'
complete -c privops -n "__fish_privops_needs_command" -f -a "archive" -d 'Verify an archive, a deletion certificate or an erasure receipt offline'
complete -c privops -n "__fish_privops_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c privops -n "__fish_privops_needs_command" -f -a "man" -d 'Write man pages for privops and each of its commands'
complete -c privops -n "__fish_privops_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c privops -n "__fish_privops_using_subcommand demo" -l dir -d 'Where to create the workspace' -r -F
complete -c privops -n "__fish_privops_using_subcommand demo" -l policy -d 'The policy folder' -r -F
complete -c privops -n "__fish_privops_using_subcommand demo" -l state -d 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]' -r
complete -c privops -n "__fish_privops_using_subcommand demo" -l format -d 'Output format' -r -f -a "human\t'Tables and sentences for people'
json\t'JSON for scripts'
md\t'Markdown (reports and maps)'
csv\t'CSV (reports and maps)'
html\t'One self-contained HTML page (reports)'"
complete -c privops -n "__fish_privops_using_subcommand demo" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c privops -n "__fish_privops_using_subcommand demo" -l actor -d 'Who is acting, as recorded in the audit trail [default: $USER]' -r
complete -c privops -n "__fish_privops_using_subcommand demo" -l force -d 'Recreate the workspace if it exists'
complete -c privops -n "__fish_privops_using_subcommand demo" -s q -l quiet -d 'Print no status messages (data is still printed)'
complete -c privops -n "__fish_privops_using_subcommand demo" -s v -l verbose -d 'Print more detail about what is done'
complete -c privops -n "__fish_privops_using_subcommand demo" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c privops -n "__fish_privops_using_subcommand demo" -s V -l version -d 'Print version'
complete -c privops -n "__fish_privops_using_subcommand init" -l policy -d 'The policy folder' -r -F
complete -c privops -n "__fish_privops_using_subcommand init" -l state -d 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]' -r
complete -c privops -n "__fish_privops_using_subcommand init" -l format -d 'Output format' -r -f -a "human\t'Tables and sentences for people'
json\t'JSON for scripts'
md\t'Markdown (reports and maps)'
csv\t'CSV (reports and maps)'
html\t'One self-contained HTML page (reports)'"
complete -c privops -n "__fish_privops_using_subcommand init" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c privops -n "__fish_privops_using_subcommand init" -l actor -d 'Who is acting, as recorded in the audit trail [default: $USER]' -r
complete -c privops -n "__fish_privops_using_subcommand init" -s q -l quiet -d 'Print no status messages (data is still printed)'
complete -c privops -n "__fish_privops_using_subcommand init" -s v -l verbose -d 'Print more detail about what is done'
complete -c privops -n "__fish_privops_using_subcommand init" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c privops -n "__fish_privops_using_subcommand init" -s V -l version -d 'Print version'
complete -c privops -n "__fish_privops_using_subcommand policy; and not __fish_seen_subcommand_from check map init import help" -l policy -d 'The policy folder' -r -F
complete -c privops -n "__fish_privops_using_subcommand policy; and not __fish_seen_subcommand_from check map init import help" -l state -d 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]' -r
complete -c privops -n "__fish_privops_using_subcommand policy; and not __fish_seen_subcommand_from check map init import help" -l format -d 'Output format' -r -f -a "human\t'Tables and sentences for people'
json\t'JSON for scripts'
md\t'Markdown (reports and maps)'
csv\t'CSV (reports and maps)'
html\t'One self-contained HTML page (reports)'"
complete -c privops -n "__fish_privops_using_subcommand policy; and not __fish_seen_subcommand_from check map init import help" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c privops -n "__fish_privops_using_subcommand policy; and not __fish_seen_subcommand_from check map init import help" -l actor -d 'Who is acting, as recorded in the audit trail [default: $USER]' -r
complete -c privops -n "__fish_privops_using_subcommand policy; and not __fish_seen_subcommand_from check map init import help" -s q -l quiet -d 'Print no status messages (data is still printed)'
complete -c privops -n "__fish_privops_using_subcommand policy; and not __fish_seen_subcommand_from check map init import help" -s v -l verbose -d 'Print more detail about what is done'
complete -c privops -n "__fish_privops_using_subcommand policy; and not __fish_seen_subcommand_from check map init import help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c privops -n "__fish_privops_using_subcommand policy; and not __fish_seen_subcommand_from check map init import help" -s V -l version -d 'Print version'
complete -c privops -n "__fish_privops_using_subcommand policy; and not __fish_seen_subcommand_from check map init import help" -f -a "check" -d 'Validate the policy folder; with --live, compare it with the real schemas'
complete -c privops -n "__fish_privops_using_subcommand policy; and not __fish_seen_subcommand_from check map init import help" -f -a "map" -d 'Write the Art. 30 record of processing and the data map (md, csv or json)'
complete -c privops -n "__fish_privops_using_subcommand policy; and not __fish_seen_subcommand_from check map init import help" -f -a "init" -d 'Draft a policy folder from a live database, every guess marked for review'
complete -c privops -n "__fish_privops_using_subcommand policy; and not __fish_seen_subcommand_from check map init import help" -f -a "import" -d 'Convert a Fides dataset description into a policy folder'
complete -c privops -n "__fish_privops_using_subcommand policy; and not __fish_seen_subcommand_from check map init import help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c privops -n "__fish_privops_using_subcommand policy; and __fish_seen_subcommand_from check" -l policy -d 'The policy folder' -r -F
complete -c privops -n "__fish_privops_using_subcommand policy; and __fish_seen_subcommand_from check" -l state -d 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]' -r
complete -c privops -n "__fish_privops_using_subcommand policy; and __fish_seen_subcommand_from check" -l format -d 'Output format' -r -f -a "human\t'Tables and sentences for people'
json\t'JSON for scripts'
md\t'Markdown (reports and maps)'
csv\t'CSV (reports and maps)'
html\t'One self-contained HTML page (reports)'"
complete -c privops -n "__fish_privops_using_subcommand policy; and __fish_seen_subcommand_from check" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c privops -n "__fish_privops_using_subcommand policy; and __fish_seen_subcommand_from check" -l actor -d 'Who is acting, as recorded in the audit trail [default: $USER]' -r
complete -c privops -n "__fish_privops_using_subcommand policy; and __fish_seen_subcommand_from check" -l live -d 'Also connect to every source and report drift between policy and database'
complete -c privops -n "__fish_privops_using_subcommand policy; and __fish_seen_subcommand_from check" -s q -l quiet -d 'Print no status messages (data is still printed)'
complete -c privops -n "__fish_privops_using_subcommand policy; and __fish_seen_subcommand_from check" -s v -l verbose -d 'Print more detail about what is done'
complete -c privops -n "__fish_privops_using_subcommand policy; and __fish_seen_subcommand_from check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c privops -n "__fish_privops_using_subcommand policy; and __fish_seen_subcommand_from check" -s V -l version -d 'Print version'
complete -c privops -n "__fish_privops_using_subcommand policy; and __fish_seen_subcommand_from map" -l out -d 'Write to this file instead of stdout' -r -F
complete -c privops -n "__fish_privops_using_subcommand policy; and __fish_seen_subcommand_from map" -l policy -d 'The policy folder' -r -F
complete -c privops -n "__fish_privops_using_subcommand policy; and __fish_seen_subcommand_from map" -l state -d 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]' -r
complete -c privops -n "__fish_privops_using_subcommand policy; and __fish_seen_subcommand_from map" -l format -d 'Output format' -r -f -a "human\t'Tables and sentences for people'
json\t'JSON for scripts'
md\t'Markdown (reports and maps)'
csv\t'CSV (reports and maps)'
html\t'One self-contained HTML page (reports)'"
complete -c privops -n "__fish_privops_using_subcommand policy; and __fish_seen_subcommand_from map" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c privops -n "__fish_privops_using_subcommand policy; and __fish_seen_subcommand_from map" -l actor -d 'Who is acting, as recorded in the audit trail [default: $USER]' -r
complete -c privops -n "__fish_privops_using_subcommand policy; and __fish_seen_subcommand_from map" -s q -l quiet -d 'Print no status messages (data is still printed)'
complete -c privops -n "__fish_privops_using_subcommand policy; and __fish_seen_subcommand_from map" -s v -l verbose -d 'Print more detail about what is done'
complete -c privops -n "__fish_privops_using_subcommand policy; and __fish_seen_subcommand_from map" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c privops -n "__fish_privops_using_subcommand policy; and __fish_seen_subcommand_from map" -s V -l version -d 'Print version'
complete -c privops -n "__fish_privops_using_subcommand policy; and __fish_seen_subcommand_from init" -l from-live -d 'The environment variable holding the database\'s URL (sqlite://, postgres://, mysql://)' -r
complete -c privops -n "__fish_privops_using_subcommand policy; and __fish_seen_subcommand_from init" -l out -d 'The folder to write the draft into' -r -F
complete -c privops -n "__fish_privops_using_subcommand policy; and __fish_seen_subcommand_from init" -l source-id -d 'The source\'s id [default: the variable\'s name, lower-case, without _URL]' -r
complete -c privops -n "__fish_privops_using_subcommand policy; and __fish_seen_subcommand_from init" -l sample -d 'Rows sampled per table to classify columns by their values' -r
complete -c privops -n "__fish_privops_using_subcommand policy; and __fish_seen_subcommand_from init" -l policy -d 'The policy folder' -r -F
complete -c privops -n "__fish_privops_using_subcommand policy; and __fish_seen_subcommand_from init" -l state -d 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]' -r
complete -c privops -n "__fish_privops_using_subcommand policy; and __fish_seen_subcommand_from init" -l format -d 'Output format' -r -f -a "human\t'Tables and sentences for people'
json\t'JSON for scripts'
md\t'Markdown (reports and maps)'
csv\t'CSV (reports and maps)'
html\t'One self-contained HTML page (reports)'"
complete -c privops -n "__fish_privops_using_subcommand policy; and __fish_seen_subcommand_from init" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c privops -n "__fish_privops_using_subcommand policy; and __fish_seen_subcommand_from init" -l actor -d 'Who is acting, as recorded in the audit trail [default: $USER]' -r
complete -c privops -n "__fish_privops_using_subcommand policy; and __fish_seen_subcommand_from init" -l force -d 'Replace the draft\'s files where they exist'
complete -c privops -n "__fish_privops_using_subcommand policy; and __fish_seen_subcommand_from init" -s q -l quiet -d 'Print no status messages (data is still printed)'
complete -c privops -n "__fish_privops_using_subcommand policy; and __fish_seen_subcommand_from init" -s v -l verbose -d 'Print more detail about what is done'
complete -c privops -n "__fish_privops_using_subcommand policy; and __fish_seen_subcommand_from init" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c privops -n "__fish_privops_using_subcommand policy; and __fish_seen_subcommand_from init" -s V -l version -d 'Print version'
complete -c privops -n "__fish_privops_using_subcommand policy; and __fish_seen_subcommand_from import" -l fides -d 'The Fides dataset file (YAML)' -r -F
complete -c privops -n "__fish_privops_using_subcommand policy; and __fish_seen_subcommand_from import" -l out -d 'The folder to write the policy into' -r -F
complete -c privops -n "__fish_privops_using_subcommand policy; and __fish_seen_subcommand_from import" -l engine -d 'The database engine the dataset describes' -r -f -a "sqlite\t''
postgres\t''
mysql\t''"
complete -c privops -n "__fish_privops_using_subcommand policy; and __fish_seen_subcommand_from import" -l url-env -d 'The environment variable that will hold its URL [default: ID_URL]' -r
complete -c privops -n "__fish_privops_using_subcommand policy; and __fish_seen_subcommand_from import" -l source-id -d 'The source\'s id [default: the dataset\'s fides_key]' -r
complete -c privops -n "__fish_privops_using_subcommand policy; and __fish_seen_subcommand_from import" -l policy -d 'The policy folder' -r -F
complete -c privops -n "__fish_privops_using_subcommand policy; and __fish_seen_subcommand_from import" -l state -d 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]' -r
complete -c privops -n "__fish_privops_using_subcommand policy; and __fish_seen_subcommand_from import" -l format -d 'Output format' -r -f -a "human\t'Tables and sentences for people'
json\t'JSON for scripts'
md\t'Markdown (reports and maps)'
csv\t'CSV (reports and maps)'
html\t'One self-contained HTML page (reports)'"
complete -c privops -n "__fish_privops_using_subcommand policy; and __fish_seen_subcommand_from import" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c privops -n "__fish_privops_using_subcommand policy; and __fish_seen_subcommand_from import" -l actor -d 'Who is acting, as recorded in the audit trail [default: $USER]' -r
complete -c privops -n "__fish_privops_using_subcommand policy; and __fish_seen_subcommand_from import" -l force -d 'Replace the policy\'s files where they exist'
complete -c privops -n "__fish_privops_using_subcommand policy; and __fish_seen_subcommand_from import" -s q -l quiet -d 'Print no status messages (data is still printed)'
complete -c privops -n "__fish_privops_using_subcommand policy; and __fish_seen_subcommand_from import" -s v -l verbose -d 'Print more detail about what is done'
complete -c privops -n "__fish_privops_using_subcommand policy; and __fish_seen_subcommand_from import" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c privops -n "__fish_privops_using_subcommand policy; and __fish_seen_subcommand_from import" -s V -l version -d 'Print version'
complete -c privops -n "__fish_privops_using_subcommand policy; and __fish_seen_subcommand_from help" -f -a "check" -d 'Validate the policy folder; with --live, compare it with the real schemas'
complete -c privops -n "__fish_privops_using_subcommand policy; and __fish_seen_subcommand_from help" -f -a "map" -d 'Write the Art. 30 record of processing and the data map (md, csv or json)'
complete -c privops -n "__fish_privops_using_subcommand policy; and __fish_seen_subcommand_from help" -f -a "init" -d 'Draft a policy folder from a live database, every guess marked for review'
complete -c privops -n "__fish_privops_using_subcommand policy; and __fish_seen_subcommand_from help" -f -a "import" -d 'Convert a Fides dataset description into a policy folder'
complete -c privops -n "__fish_privops_using_subcommand policy; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c privops -n "__fish_privops_using_subcommand scan" -l source -d 'Only this source' -r
complete -c privops -n "__fish_privops_using_subcommand scan" -l table -d 'Only this table' -r
complete -c privops -n "__fish_privops_using_subcommand scan" -l sample -d 'Rows sampled per table (the whole table when it has fewer)' -r
complete -c privops -n "__fish_privops_using_subcommand scan" -l max-duration -d 'Read no new table after this long (`30s`, `5m`); exit 4 when cut short' -r
complete -c privops -n "__fish_privops_using_subcommand scan" -l policy -d 'The policy folder' -r -F
complete -c privops -n "__fish_privops_using_subcommand scan" -l state -d 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]' -r
complete -c privops -n "__fish_privops_using_subcommand scan" -l format -d 'Output format' -r -f -a "human\t'Tables and sentences for people'
json\t'JSON for scripts'
md\t'Markdown (reports and maps)'
csv\t'CSV (reports and maps)'
html\t'One self-contained HTML page (reports)'"
complete -c privops -n "__fish_privops_using_subcommand scan" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c privops -n "__fish_privops_using_subcommand scan" -l actor -d 'Who is acting, as recorded in the audit trail [default: $USER]' -r
complete -c privops -n "__fish_privops_using_subcommand scan" -s q -l quiet -d 'Print no status messages (data is still printed)'
complete -c privops -n "__fish_privops_using_subcommand scan" -s v -l verbose -d 'Print more detail about what is done'
complete -c privops -n "__fish_privops_using_subcommand scan" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c privops -n "__fish_privops_using_subcommand scan" -s V -l version -d 'Print version'
complete -c privops -n "__fish_privops_using_subcommand purpose; and not __fish_seen_subcommand_from list show help" -l policy -d 'The policy folder' -r -F
complete -c privops -n "__fish_privops_using_subcommand purpose; and not __fish_seen_subcommand_from list show help" -l state -d 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]' -r
complete -c privops -n "__fish_privops_using_subcommand purpose; and not __fish_seen_subcommand_from list show help" -l format -d 'Output format' -r -f -a "human\t'Tables and sentences for people'
json\t'JSON for scripts'
md\t'Markdown (reports and maps)'
csv\t'CSV (reports and maps)'
html\t'One self-contained HTML page (reports)'"
complete -c privops -n "__fish_privops_using_subcommand purpose; and not __fish_seen_subcommand_from list show help" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c privops -n "__fish_privops_using_subcommand purpose; and not __fish_seen_subcommand_from list show help" -l actor -d 'Who is acting, as recorded in the audit trail [default: $USER]' -r
complete -c privops -n "__fish_privops_using_subcommand purpose; and not __fish_seen_subcommand_from list show help" -s q -l quiet -d 'Print no status messages (data is still printed)'
complete -c privops -n "__fish_privops_using_subcommand purpose; and not __fish_seen_subcommand_from list show help" -s v -l verbose -d 'Print more detail about what is done'
complete -c privops -n "__fish_privops_using_subcommand purpose; and not __fish_seen_subcommand_from list show help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c privops -n "__fish_privops_using_subcommand purpose; and not __fish_seen_subcommand_from list show help" -s V -l version -d 'Print version'
complete -c privops -n "__fish_privops_using_subcommand purpose; and not __fish_seen_subcommand_from list show help" -f -a "list" -d 'List the purposes of the policy with their current consent version'
complete -c privops -n "__fish_privops_using_subcommand purpose; and not __fish_seen_subcommand_from list show help" -f -a "show" -d 'Show one purpose, its consent text and its version history'
complete -c privops -n "__fish_privops_using_subcommand purpose; and not __fish_seen_subcommand_from list show help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c privops -n "__fish_privops_using_subcommand purpose; and __fish_seen_subcommand_from list" -l policy -d 'The policy folder' -r -F
complete -c privops -n "__fish_privops_using_subcommand purpose; and __fish_seen_subcommand_from list" -l state -d 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]' -r
complete -c privops -n "__fish_privops_using_subcommand purpose; and __fish_seen_subcommand_from list" -l format -d 'Output format' -r -f -a "human\t'Tables and sentences for people'
json\t'JSON for scripts'
md\t'Markdown (reports and maps)'
csv\t'CSV (reports and maps)'
html\t'One self-contained HTML page (reports)'"
complete -c privops -n "__fish_privops_using_subcommand purpose; and __fish_seen_subcommand_from list" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c privops -n "__fish_privops_using_subcommand purpose; and __fish_seen_subcommand_from list" -l actor -d 'Who is acting, as recorded in the audit trail [default: $USER]' -r
complete -c privops -n "__fish_privops_using_subcommand purpose; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print no status messages (data is still printed)'
complete -c privops -n "__fish_privops_using_subcommand purpose; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Print more detail about what is done'
complete -c privops -n "__fish_privops_using_subcommand purpose; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c privops -n "__fish_privops_using_subcommand purpose; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c privops -n "__fish_privops_using_subcommand purpose; and __fish_seen_subcommand_from show" -l policy -d 'The policy folder' -r -F
complete -c privops -n "__fish_privops_using_subcommand purpose; and __fish_seen_subcommand_from show" -l state -d 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]' -r
complete -c privops -n "__fish_privops_using_subcommand purpose; and __fish_seen_subcommand_from show" -l format -d 'Output format' -r -f -a "human\t'Tables and sentences for people'
json\t'JSON for scripts'
md\t'Markdown (reports and maps)'
csv\t'CSV (reports and maps)'
html\t'One self-contained HTML page (reports)'"
complete -c privops -n "__fish_privops_using_subcommand purpose; and __fish_seen_subcommand_from show" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c privops -n "__fish_privops_using_subcommand purpose; and __fish_seen_subcommand_from show" -l actor -d 'Who is acting, as recorded in the audit trail [default: $USER]' -r
complete -c privops -n "__fish_privops_using_subcommand purpose; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print no status messages (data is still printed)'
complete -c privops -n "__fish_privops_using_subcommand purpose; and __fish_seen_subcommand_from show" -s v -l verbose -d 'Print more detail about what is done'
complete -c privops -n "__fish_privops_using_subcommand purpose; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c privops -n "__fish_privops_using_subcommand purpose; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c privops -n "__fish_privops_using_subcommand purpose; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the purposes of the policy with their current consent version'
complete -c privops -n "__fish_privops_using_subcommand purpose; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show one purpose, its consent text and its version history'
complete -c privops -n "__fish_privops_using_subcommand purpose; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c privops -n "__fish_privops_using_subcommand consent; and not __fish_seen_subcommand_from grant withdraw check history export import help" -l policy -d 'The policy folder' -r -F
complete -c privops -n "__fish_privops_using_subcommand consent; and not __fish_seen_subcommand_from grant withdraw check history export import help" -l state -d 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]' -r
complete -c privops -n "__fish_privops_using_subcommand consent; and not __fish_seen_subcommand_from grant withdraw check history export import help" -l format -d 'Output format' -r -f -a "human\t'Tables and sentences for people'
json\t'JSON for scripts'
md\t'Markdown (reports and maps)'
csv\t'CSV (reports and maps)'
html\t'One self-contained HTML page (reports)'"
complete -c privops -n "__fish_privops_using_subcommand consent; and not __fish_seen_subcommand_from grant withdraw check history export import help" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c privops -n "__fish_privops_using_subcommand consent; and not __fish_seen_subcommand_from grant withdraw check history export import help" -l actor -d 'Who is acting, as recorded in the audit trail [default: $USER]' -r
complete -c privops -n "__fish_privops_using_subcommand consent; and not __fish_seen_subcommand_from grant withdraw check history export import help" -s q -l quiet -d 'Print no status messages (data is still printed)'
complete -c privops -n "__fish_privops_using_subcommand consent; and not __fish_seen_subcommand_from grant withdraw check history export import help" -s v -l verbose -d 'Print more detail about what is done'
complete -c privops -n "__fish_privops_using_subcommand consent; and not __fish_seen_subcommand_from grant withdraw check history export import help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c privops -n "__fish_privops_using_subcommand consent; and not __fish_seen_subcommand_from grant withdraw check history export import help" -s V -l version -d 'Print version'
complete -c privops -n "__fish_privops_using_subcommand consent; and not __fish_seen_subcommand_from grant withdraw check history export import help" -f -a "grant" -d 'Record that a subject gave consent to a purpose'
complete -c privops -n "__fish_privops_using_subcommand consent; and not __fish_seen_subcommand_from grant withdraw check history export import help" -f -a "withdraw" -d 'Record that a subject withdrew consent to a purpose'
complete -c privops -n "__fish_privops_using_subcommand consent; and not __fish_seen_subcommand_from grant withdraw check history export import help" -f -a "check" -d 'Does consent stand for the current version? Exit 0 yes, 3 no'
complete -c privops -n "__fish_privops_using_subcommand consent; and not __fish_seen_subcommand_from grant withdraw check history export import help" -f -a "history" -d 'Every consent event of a subject'
complete -c privops -n "__fish_privops_using_subcommand consent; and not __fish_seen_subcommand_from grant withdraw check history export import help" -f -a "export" -d 'Write the consent state at a moment in time to CSV'
complete -c privops -n "__fish_privops_using_subcommand consent; and not __fish_seen_subcommand_from grant withdraw check history export import help" -f -a "import" -d 'Append events from a CSV file, all or nothing; re-importing adds nothing'
complete -c privops -n "__fish_privops_using_subcommand consent; and not __fish_seen_subcommand_from grant withdraw check history export import help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c privops -n "__fish_privops_using_subcommand consent; and __fish_seen_subcommand_from grant" -l subject -d 'The subject, KIND:VALUE (e.g. email:alice@example.com)' -r
complete -c privops -n "__fish_privops_using_subcommand consent; and __fish_seen_subcommand_from grant" -l purpose -d 'The purpose id (its lawful basis must be consent)' -r
complete -c privops -n "__fish_privops_using_subcommand consent; and __fish_seen_subcommand_from grant" -l channel -d 'How the subject expressed it' -r -f -a "web\t''
whatsapp\t''
email\t''
phone\t''
paper\t''
api\t''"
complete -c privops -n "__fish_privops_using_subcommand consent; and __fish_seen_subcommand_from grant" -l evidence -d 'Evidence kept with the event (a form id, a message id, a scan reference)' -r
complete -c privops -n "__fish_privops_using_subcommand consent; and __fish_seen_subcommand_from grant" -l at -d 'When it happened (RFC 3339) [default: now]' -r
complete -c privops -n "__fish_privops_using_subcommand consent; and __fish_seen_subcommand_from grant" -l policy -d 'The policy folder' -r -F
complete -c privops -n "__fish_privops_using_subcommand consent; and __fish_seen_subcommand_from grant" -l state -d 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]' -r
complete -c privops -n "__fish_privops_using_subcommand consent; and __fish_seen_subcommand_from grant" -l format -d 'Output format' -r -f -a "human\t'Tables and sentences for people'
json\t'JSON for scripts'
md\t'Markdown (reports and maps)'
csv\t'CSV (reports and maps)'
html\t'One self-contained HTML page (reports)'"
complete -c privops -n "__fish_privops_using_subcommand consent; and __fish_seen_subcommand_from grant" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c privops -n "__fish_privops_using_subcommand consent; and __fish_seen_subcommand_from grant" -l actor -d 'Who is acting, as recorded in the audit trail [default: $USER]' -r
complete -c privops -n "__fish_privops_using_subcommand consent; and __fish_seen_subcommand_from grant" -s q -l quiet -d 'Print no status messages (data is still printed)'
complete -c privops -n "__fish_privops_using_subcommand consent; and __fish_seen_subcommand_from grant" -s v -l verbose -d 'Print more detail about what is done'
complete -c privops -n "__fish_privops_using_subcommand consent; and __fish_seen_subcommand_from grant" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c privops -n "__fish_privops_using_subcommand consent; and __fish_seen_subcommand_from grant" -s V -l version -d 'Print version'
complete -c privops -n "__fish_privops_using_subcommand consent; and __fish_seen_subcommand_from withdraw" -l subject -d 'The subject, KIND:VALUE (e.g. email:alice@example.com)' -r
complete -c privops -n "__fish_privops_using_subcommand consent; and __fish_seen_subcommand_from withdraw" -l purpose -d 'The purpose id (its lawful basis must be consent)' -r
complete -c privops -n "__fish_privops_using_subcommand consent; and __fish_seen_subcommand_from withdraw" -l channel -d 'How the subject expressed it' -r -f -a "web\t''
whatsapp\t''
email\t''
phone\t''
paper\t''
api\t''"
complete -c privops -n "__fish_privops_using_subcommand consent; and __fish_seen_subcommand_from withdraw" -l evidence -d 'Evidence kept with the event (a form id, a message id, a scan reference)' -r
complete -c privops -n "__fish_privops_using_subcommand consent; and __fish_seen_subcommand_from withdraw" -l at -d 'When it happened (RFC 3339) [default: now]' -r
complete -c privops -n "__fish_privops_using_subcommand consent; and __fish_seen_subcommand_from withdraw" -l policy -d 'The policy folder' -r -F
complete -c privops -n "__fish_privops_using_subcommand consent; and __fish_seen_subcommand_from withdraw" -l state -d 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]' -r
complete -c privops -n "__fish_privops_using_subcommand consent; and __fish_seen_subcommand_from withdraw" -l format -d 'Output format' -r -f -a "human\t'Tables and sentences for people'
json\t'JSON for scripts'
md\t'Markdown (reports and maps)'
csv\t'CSV (reports and maps)'
html\t'One self-contained HTML page (reports)'"
complete -c privops -n "__fish_privops_using_subcommand consent; and __fish_seen_subcommand_from withdraw" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c privops -n "__fish_privops_using_subcommand consent; and __fish_seen_subcommand_from withdraw" -l actor -d 'Who is acting, as recorded in the audit trail [default: $USER]' -r
complete -c privops -n "__fish_privops_using_subcommand consent; and __fish_seen_subcommand_from withdraw" -s q -l quiet -d 'Print no status messages (data is still printed)'
complete -c privops -n "__fish_privops_using_subcommand consent; and __fish_seen_subcommand_from withdraw" -s v -l verbose -d 'Print more detail about what is done'
complete -c privops -n "__fish_privops_using_subcommand consent; and __fish_seen_subcommand_from withdraw" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c privops -n "__fish_privops_using_subcommand consent; and __fish_seen_subcommand_from withdraw" -s V -l version -d 'Print version'
complete -c privops -n "__fish_privops_using_subcommand consent; and __fish_seen_subcommand_from check" -l subject -d 'The subject, KIND:VALUE' -r
complete -c privops -n "__fish_privops_using_subcommand consent; and __fish_seen_subcommand_from check" -l purpose -d 'The purpose id' -r
complete -c privops -n "__fish_privops_using_subcommand consent; and __fish_seen_subcommand_from check" -l batch -d 'Read subjects (one KIND:VALUE per line) from FILE, or `-` for stdin; print one verdict per line. Exit 0 when all stand, 3 when any does not' -r -F
complete -c privops -n "__fish_privops_using_subcommand consent; and __fish_seen_subcommand_from check" -l policy -d 'The policy folder' -r -F
complete -c privops -n "__fish_privops_using_subcommand consent; and __fish_seen_subcommand_from check" -l state -d 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]' -r
complete -c privops -n "__fish_privops_using_subcommand consent; and __fish_seen_subcommand_from check" -l format -d 'Output format' -r -f -a "human\t'Tables and sentences for people'
json\t'JSON for scripts'
md\t'Markdown (reports and maps)'
csv\t'CSV (reports and maps)'
html\t'One self-contained HTML page (reports)'"
complete -c privops -n "__fish_privops_using_subcommand consent; and __fish_seen_subcommand_from check" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c privops -n "__fish_privops_using_subcommand consent; and __fish_seen_subcommand_from check" -l actor -d 'Who is acting, as recorded in the audit trail [default: $USER]' -r
complete -c privops -n "__fish_privops_using_subcommand consent; and __fish_seen_subcommand_from check" -s q -l quiet -d 'Print no status messages (data is still printed)'
complete -c privops -n "__fish_privops_using_subcommand consent; and __fish_seen_subcommand_from check" -s v -l verbose -d 'Print more detail about what is done'
complete -c privops -n "__fish_privops_using_subcommand consent; and __fish_seen_subcommand_from check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c privops -n "__fish_privops_using_subcommand consent; and __fish_seen_subcommand_from check" -s V -l version -d 'Print version'
complete -c privops -n "__fish_privops_using_subcommand consent; and __fish_seen_subcommand_from history" -l subject -d 'The subject, KIND:VALUE' -r
complete -c privops -n "__fish_privops_using_subcommand consent; and __fish_seen_subcommand_from history" -l purpose -d 'Only this purpose' -r
complete -c privops -n "__fish_privops_using_subcommand consent; and __fish_seen_subcommand_from history" -l policy -d 'The policy folder' -r -F
complete -c privops -n "__fish_privops_using_subcommand consent; and __fish_seen_subcommand_from history" -l state -d 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]' -r
complete -c privops -n "__fish_privops_using_subcommand consent; and __fish_seen_subcommand_from history" -l format -d 'Output format' -r -f -a "human\t'Tables and sentences for people'
json\t'JSON for scripts'
md\t'Markdown (reports and maps)'
csv\t'CSV (reports and maps)'
html\t'One self-contained HTML page (reports)'"
complete -c privops -n "__fish_privops_using_subcommand consent; and __fish_seen_subcommand_from history" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c privops -n "__fish_privops_using_subcommand consent; and __fish_seen_subcommand_from history" -l actor -d 'Who is acting, as recorded in the audit trail [default: $USER]' -r
complete -c privops -n "__fish_privops_using_subcommand consent; and __fish_seen_subcommand_from history" -s q -l quiet -d 'Print no status messages (data is still printed)'
complete -c privops -n "__fish_privops_using_subcommand consent; and __fish_seen_subcommand_from history" -s v -l verbose -d 'Print more detail about what is done'
complete -c privops -n "__fish_privops_using_subcommand consent; and __fish_seen_subcommand_from history" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c privops -n "__fish_privops_using_subcommand consent; and __fish_seen_subcommand_from history" -s V -l version -d 'Print version'
complete -c privops -n "__fish_privops_using_subcommand consent; and __fish_seen_subcommand_from export" -l purpose -d 'Only this purpose [default: every consent purpose]' -r
complete -c privops -n "__fish_privops_using_subcommand consent; and __fish_seen_subcommand_from export" -l as-of -d 'The moment whose state is exported (RFC 3339 or a date) [default: now]' -r
complete -c privops -n "__fish_privops_using_subcommand consent; and __fish_seen_subcommand_from export" -l out -d 'The file to write' -r -F
complete -c privops -n "__fish_privops_using_subcommand consent; and __fish_seen_subcommand_from export" -l policy -d 'The policy folder' -r -F
complete -c privops -n "__fish_privops_using_subcommand consent; and __fish_seen_subcommand_from export" -l state -d 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]' -r
complete -c privops -n "__fish_privops_using_subcommand consent; and __fish_seen_subcommand_from export" -l format -d 'Output format' -r -f -a "human\t'Tables and sentences for people'
json\t'JSON for scripts'
md\t'Markdown (reports and maps)'
csv\t'CSV (reports and maps)'
html\t'One self-contained HTML page (reports)'"
complete -c privops -n "__fish_privops_using_subcommand consent; and __fish_seen_subcommand_from export" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c privops -n "__fish_privops_using_subcommand consent; and __fish_seen_subcommand_from export" -l actor -d 'Who is acting, as recorded in the audit trail [default: $USER]' -r
complete -c privops -n "__fish_privops_using_subcommand consent; and __fish_seen_subcommand_from export" -l force -d 'Replace the file if it exists'
complete -c privops -n "__fish_privops_using_subcommand consent; and __fish_seen_subcommand_from export" -s q -l quiet -d 'Print no status messages (data is still printed)'
complete -c privops -n "__fish_privops_using_subcommand consent; and __fish_seen_subcommand_from export" -s v -l verbose -d 'Print more detail about what is done'
complete -c privops -n "__fish_privops_using_subcommand consent; and __fish_seen_subcommand_from export" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c privops -n "__fish_privops_using_subcommand consent; and __fish_seen_subcommand_from export" -s V -l version -d 'Print version'
complete -c privops -n "__fish_privops_using_subcommand consent; and __fish_seen_subcommand_from import" -l policy -d 'The policy folder' -r -F
complete -c privops -n "__fish_privops_using_subcommand consent; and __fish_seen_subcommand_from import" -l state -d 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]' -r
complete -c privops -n "__fish_privops_using_subcommand consent; and __fish_seen_subcommand_from import" -l format -d 'Output format' -r -f -a "human\t'Tables and sentences for people'
json\t'JSON for scripts'
md\t'Markdown (reports and maps)'
csv\t'CSV (reports and maps)'
html\t'One self-contained HTML page (reports)'"
complete -c privops -n "__fish_privops_using_subcommand consent; and __fish_seen_subcommand_from import" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c privops -n "__fish_privops_using_subcommand consent; and __fish_seen_subcommand_from import" -l actor -d 'Who is acting, as recorded in the audit trail [default: $USER]' -r
complete -c privops -n "__fish_privops_using_subcommand consent; and __fish_seen_subcommand_from import" -s q -l quiet -d 'Print no status messages (data is still printed)'
complete -c privops -n "__fish_privops_using_subcommand consent; and __fish_seen_subcommand_from import" -s v -l verbose -d 'Print more detail about what is done'
complete -c privops -n "__fish_privops_using_subcommand consent; and __fish_seen_subcommand_from import" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c privops -n "__fish_privops_using_subcommand consent; and __fish_seen_subcommand_from import" -s V -l version -d 'Print version'
complete -c privops -n "__fish_privops_using_subcommand consent; and __fish_seen_subcommand_from help" -f -a "grant" -d 'Record that a subject gave consent to a purpose'
complete -c privops -n "__fish_privops_using_subcommand consent; and __fish_seen_subcommand_from help" -f -a "withdraw" -d 'Record that a subject withdrew consent to a purpose'
complete -c privops -n "__fish_privops_using_subcommand consent; and __fish_seen_subcommand_from help" -f -a "check" -d 'Does consent stand for the current version? Exit 0 yes, 3 no'
complete -c privops -n "__fish_privops_using_subcommand consent; and __fish_seen_subcommand_from help" -f -a "history" -d 'Every consent event of a subject'
complete -c privops -n "__fish_privops_using_subcommand consent; and __fish_seen_subcommand_from help" -f -a "export" -d 'Write the consent state at a moment in time to CSV'
complete -c privops -n "__fish_privops_using_subcommand consent; and __fish_seen_subcommand_from help" -f -a "import" -d 'Append events from a CSV file, all or nothing; re-importing adds nothing'
complete -c privops -n "__fish_privops_using_subcommand consent; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c privops -n "__fish_privops_using_subcommand object" -l subject -d 'The subject, KIND:VALUE' -r
complete -c privops -n "__fish_privops_using_subcommand object" -l purpose -d 'The purpose objected to' -r
complete -c privops -n "__fish_privops_using_subcommand object" -l ground -d 'Why the objection is lifted' -r -f -a "accuracy\t'Art. 18(1)(a): the subject contests the data\'s accuracy, while it is verified'
unlawful\t'Art. 18(1)(b): processing is unlawful and the subject asks for restriction instead of erasure'
legal-claims\t'Art. 18(1)(c): the controller no longer needs the data but the subject needs it for legal claims'
objection-pending\t'Art. 18(1)(d): the subject objected and the controller\'s grounds are being verified'
compelling-grounds\t'Lifting an Art. 21(1) objection: the controller demonstrated compelling legitimate grounds'
withdrawn\t'Lifting: the subject took the objection or the restriction back, or its reason ended (Art. 18(3): the subject is told before a restriction is lifted)'"
complete -c privops -n "__fish_privops_using_subcommand object" -l request -d 'The request this answers (its kind must match); it is closed once recorded' -r
complete -c privops -n "__fish_privops_using_subcommand object" -l at -d 'When the subject asked (RFC 3339 or a date) [default: now]' -r
complete -c privops -n "__fish_privops_using_subcommand object" -l policy -d 'The policy folder' -r -F
complete -c privops -n "__fish_privops_using_subcommand object" -l state -d 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]' -r
complete -c privops -n "__fish_privops_using_subcommand object" -l format -d 'Output format' -r -f -a "human\t'Tables and sentences for people'
json\t'JSON for scripts'
md\t'Markdown (reports and maps)'
csv\t'CSV (reports and maps)'
html\t'One self-contained HTML page (reports)'"
complete -c privops -n "__fish_privops_using_subcommand object" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c privops -n "__fish_privops_using_subcommand object" -l actor -d 'Who is acting, as recorded in the audit trail [default: $USER]' -r
complete -c privops -n "__fish_privops_using_subcommand object" -l lift -d 'End the objection: --ground compelling-grounds (Art. 21(1), never for direct marketing) or --ground withdrawn (the subject took it back)'
complete -c privops -n "__fish_privops_using_subcommand object" -s q -l quiet -d 'Print no status messages (data is still printed)'
complete -c privops -n "__fish_privops_using_subcommand object" -s v -l verbose -d 'Print more detail about what is done'
complete -c privops -n "__fish_privops_using_subcommand object" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c privops -n "__fish_privops_using_subcommand object" -s V -l version -d 'Print version'
complete -c privops -n "__fish_privops_using_subcommand restrict" -l subject -d 'The subject, KIND:VALUE' -r
complete -c privops -n "__fish_privops_using_subcommand restrict" -l ground -d 'Why (Art. 18(1)): accuracy, unlawful, legal-claims, objection-pending; with --lift, withdrawn' -r -f -a "accuracy\t'Art. 18(1)(a): the subject contests the data\'s accuracy, while it is verified'
unlawful\t'Art. 18(1)(b): processing is unlawful and the subject asks for restriction instead of erasure'
legal-claims\t'Art. 18(1)(c): the controller no longer needs the data but the subject needs it for legal claims'
objection-pending\t'Art. 18(1)(d): the subject objected and the controller\'s grounds are being verified'
compelling-grounds\t'Lifting an Art. 21(1) objection: the controller demonstrated compelling legitimate grounds'
withdrawn\t'Lifting: the subject took the objection or the restriction back, or its reason ended (Art. 18(3): the subject is told before a restriction is lifted)'"
complete -c privops -n "__fish_privops_using_subcommand restrict" -l request -d 'The request this answers (its kind must match); it is closed once recorded' -r
complete -c privops -n "__fish_privops_using_subcommand restrict" -l at -d 'When the subject asked (RFC 3339 or a date) [default: now]' -r
complete -c privops -n "__fish_privops_using_subcommand restrict" -l policy -d 'The policy folder' -r -F
complete -c privops -n "__fish_privops_using_subcommand restrict" -l state -d 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]' -r
complete -c privops -n "__fish_privops_using_subcommand restrict" -l format -d 'Output format' -r -f -a "human\t'Tables and sentences for people'
json\t'JSON for scripts'
md\t'Markdown (reports and maps)'
csv\t'CSV (reports and maps)'
html\t'One self-contained HTML page (reports)'"
complete -c privops -n "__fish_privops_using_subcommand restrict" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c privops -n "__fish_privops_using_subcommand restrict" -l actor -d 'Who is acting, as recorded in the audit trail [default: $USER]' -r
complete -c privops -n "__fish_privops_using_subcommand restrict" -l lift -d 'End the restriction (Art. 18(3): tell the subject first)'
complete -c privops -n "__fish_privops_using_subcommand restrict" -s q -l quiet -d 'Print no status messages (data is still printed)'
complete -c privops -n "__fish_privops_using_subcommand restrict" -s v -l verbose -d 'Print more detail about what is done'
complete -c privops -n "__fish_privops_using_subcommand restrict" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c privops -n "__fish_privops_using_subcommand restrict" -s V -l version -d 'Print version'
complete -c privops -n "__fish_privops_using_subcommand processing; and not __fish_seen_subcommand_from check help" -l policy -d 'The policy folder' -r -F
complete -c privops -n "__fish_privops_using_subcommand processing; and not __fish_seen_subcommand_from check help" -l state -d 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]' -r
complete -c privops -n "__fish_privops_using_subcommand processing; and not __fish_seen_subcommand_from check help" -l format -d 'Output format' -r -f -a "human\t'Tables and sentences for people'
json\t'JSON for scripts'
md\t'Markdown (reports and maps)'
csv\t'CSV (reports and maps)'
html\t'One self-contained HTML page (reports)'"
complete -c privops -n "__fish_privops_using_subcommand processing; and not __fish_seen_subcommand_from check help" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c privops -n "__fish_privops_using_subcommand processing; and not __fish_seen_subcommand_from check help" -l actor -d 'Who is acting, as recorded in the audit trail [default: $USER]' -r
complete -c privops -n "__fish_privops_using_subcommand processing; and not __fish_seen_subcommand_from check help" -s q -l quiet -d 'Print no status messages (data is still printed)'
complete -c privops -n "__fish_privops_using_subcommand processing; and not __fish_seen_subcommand_from check help" -s v -l verbose -d 'Print more detail about what is done'
complete -c privops -n "__fish_privops_using_subcommand processing; and not __fish_seen_subcommand_from check help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c privops -n "__fish_privops_using_subcommand processing; and not __fish_seen_subcommand_from check help" -s V -l version -d 'Print version'
complete -c privops -n "__fish_privops_using_subcommand processing; and not __fish_seen_subcommand_from check help" -f -a "check" -d 'May this subject\'s data be processed for this purpose? Exit 0 yes, 3 no'
complete -c privops -n "__fish_privops_using_subcommand processing; and not __fish_seen_subcommand_from check help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c privops -n "__fish_privops_using_subcommand processing; and __fish_seen_subcommand_from check" -l subject -d 'The subject, KIND:VALUE' -r
complete -c privops -n "__fish_privops_using_subcommand processing; and __fish_seen_subcommand_from check" -l purpose -d 'The purpose id' -r
complete -c privops -n "__fish_privops_using_subcommand processing; and __fish_seen_subcommand_from check" -l batch -d 'Read subjects (one KIND:VALUE per line) from FILE, or `-` for stdin; print one verdict per line. Exit 0 when all stand, 3 when any does not' -r -F
complete -c privops -n "__fish_privops_using_subcommand processing; and __fish_seen_subcommand_from check" -l policy -d 'The policy folder' -r -F
complete -c privops -n "__fish_privops_using_subcommand processing; and __fish_seen_subcommand_from check" -l state -d 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]' -r
complete -c privops -n "__fish_privops_using_subcommand processing; and __fish_seen_subcommand_from check" -l format -d 'Output format' -r -f -a "human\t'Tables and sentences for people'
json\t'JSON for scripts'
md\t'Markdown (reports and maps)'
csv\t'CSV (reports and maps)'
html\t'One self-contained HTML page (reports)'"
complete -c privops -n "__fish_privops_using_subcommand processing; and __fish_seen_subcommand_from check" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c privops -n "__fish_privops_using_subcommand processing; and __fish_seen_subcommand_from check" -l actor -d 'Who is acting, as recorded in the audit trail [default: $USER]' -r
complete -c privops -n "__fish_privops_using_subcommand processing; and __fish_seen_subcommand_from check" -s q -l quiet -d 'Print no status messages (data is still printed)'
complete -c privops -n "__fish_privops_using_subcommand processing; and __fish_seen_subcommand_from check" -s v -l verbose -d 'Print more detail about what is done'
complete -c privops -n "__fish_privops_using_subcommand processing; and __fish_seen_subcommand_from check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c privops -n "__fish_privops_using_subcommand processing; and __fish_seen_subcommand_from check" -s V -l version -d 'Print version'
complete -c privops -n "__fish_privops_using_subcommand processing; and __fish_seen_subcommand_from help" -f -a "check" -d 'May this subject\'s data be processed for this purpose? Exit 0 yes, 3 no'
complete -c privops -n "__fish_privops_using_subcommand processing; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c privops -n "__fish_privops_using_subcommand notice; and not __fish_seen_subcommand_from publish ack pending list help" -l policy -d 'The policy folder' -r -F
complete -c privops -n "__fish_privops_using_subcommand notice; and not __fish_seen_subcommand_from publish ack pending list help" -l state -d 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]' -r
complete -c privops -n "__fish_privops_using_subcommand notice; and not __fish_seen_subcommand_from publish ack pending list help" -l format -d 'Output format' -r -f -a "human\t'Tables and sentences for people'
json\t'JSON for scripts'
md\t'Markdown (reports and maps)'
csv\t'CSV (reports and maps)'
html\t'One self-contained HTML page (reports)'"
complete -c privops -n "__fish_privops_using_subcommand notice; and not __fish_seen_subcommand_from publish ack pending list help" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c privops -n "__fish_privops_using_subcommand notice; and not __fish_seen_subcommand_from publish ack pending list help" -l actor -d 'Who is acting, as recorded in the audit trail [default: $USER]' -r
complete -c privops -n "__fish_privops_using_subcommand notice; and not __fish_seen_subcommand_from publish ack pending list help" -s q -l quiet -d 'Print no status messages (data is still printed)'
complete -c privops -n "__fish_privops_using_subcommand notice; and not __fish_seen_subcommand_from publish ack pending list help" -s v -l verbose -d 'Print more detail about what is done'
complete -c privops -n "__fish_privops_using_subcommand notice; and not __fish_seen_subcommand_from publish ack pending list help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c privops -n "__fish_privops_using_subcommand notice; and not __fish_seen_subcommand_from publish ack pending list help" -s V -l version -d 'Print version'
complete -c privops -n "__fish_privops_using_subcommand notice; and not __fish_seen_subcommand_from publish ack pending list help" -f -a "publish" -d 'Record a version of the privacy notice (the SHA-256 of its text)'
complete -c privops -n "__fish_privops_using_subcommand notice; and not __fish_seen_subcommand_from publish ack pending list help" -f -a "ack" -d 'Record that a subject acknowledged the notice in force'
complete -c privops -n "__fish_privops_using_subcommand notice; and not __fish_seen_subcommand_from publish ack pending list help" -f -a "pending" -d 'Who has not acknowledged the notice in force (text, JSON, CSV)'
complete -c privops -n "__fish_privops_using_subcommand notice; and not __fish_seen_subcommand_from publish ack pending list help" -f -a "list" -d 'The versions published'
complete -c privops -n "__fish_privops_using_subcommand notice; and not __fish_seen_subcommand_from publish ack pending list help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c privops -n "__fish_privops_using_subcommand notice; and __fish_seen_subcommand_from publish" -l title -d 'The notice\'s title, e.g. "Privacy policy, December 2026"' -r
complete -c privops -n "__fish_privops_using_subcommand notice; and __fish_seen_subcommand_from publish" -l file -d 'The notice\'s text (UTF-8, up to 1 MiB)' -r -F
complete -c privops -n "__fish_privops_using_subcommand notice; and __fish_seen_subcommand_from publish" -l policy -d 'The policy folder' -r -F
complete -c privops -n "__fish_privops_using_subcommand notice; and __fish_seen_subcommand_from publish" -l state -d 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]' -r
complete -c privops -n "__fish_privops_using_subcommand notice; and __fish_seen_subcommand_from publish" -l format -d 'Output format' -r -f -a "human\t'Tables and sentences for people'
json\t'JSON for scripts'
md\t'Markdown (reports and maps)'
csv\t'CSV (reports and maps)'
html\t'One self-contained HTML page (reports)'"
complete -c privops -n "__fish_privops_using_subcommand notice; and __fish_seen_subcommand_from publish" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c privops -n "__fish_privops_using_subcommand notice; and __fish_seen_subcommand_from publish" -l actor -d 'Who is acting, as recorded in the audit trail [default: $USER]' -r
complete -c privops -n "__fish_privops_using_subcommand notice; and __fish_seen_subcommand_from publish" -s q -l quiet -d 'Print no status messages (data is still printed)'
complete -c privops -n "__fish_privops_using_subcommand notice; and __fish_seen_subcommand_from publish" -s v -l verbose -d 'Print more detail about what is done'
complete -c privops -n "__fish_privops_using_subcommand notice; and __fish_seen_subcommand_from publish" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c privops -n "__fish_privops_using_subcommand notice; and __fish_seen_subcommand_from publish" -s V -l version -d 'Print version'
complete -c privops -n "__fish_privops_using_subcommand notice; and __fish_seen_subcommand_from ack" -l subject -d 'The subject, KIND:VALUE' -r
complete -c privops -n "__fish_privops_using_subcommand notice; and __fish_seen_subcommand_from ack" -l notice-version -d 'The version acknowledged [default: the one in force]' -r
complete -c privops -n "__fish_privops_using_subcommand notice; and __fish_seen_subcommand_from ack" -l at -d 'When (RFC 3339 or a date) [default: now]' -r
complete -c privops -n "__fish_privops_using_subcommand notice; and __fish_seen_subcommand_from ack" -l policy -d 'The policy folder' -r -F
complete -c privops -n "__fish_privops_using_subcommand notice; and __fish_seen_subcommand_from ack" -l state -d 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]' -r
complete -c privops -n "__fish_privops_using_subcommand notice; and __fish_seen_subcommand_from ack" -l format -d 'Output format' -r -f -a "human\t'Tables and sentences for people'
json\t'JSON for scripts'
md\t'Markdown (reports and maps)'
csv\t'CSV (reports and maps)'
html\t'One self-contained HTML page (reports)'"
complete -c privops -n "__fish_privops_using_subcommand notice; and __fish_seen_subcommand_from ack" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c privops -n "__fish_privops_using_subcommand notice; and __fish_seen_subcommand_from ack" -l actor -d 'Who is acting, as recorded in the audit trail [default: $USER]' -r
complete -c privops -n "__fish_privops_using_subcommand notice; and __fish_seen_subcommand_from ack" -s q -l quiet -d 'Print no status messages (data is still printed)'
complete -c privops -n "__fish_privops_using_subcommand notice; and __fish_seen_subcommand_from ack" -s v -l verbose -d 'Print more detail about what is done'
complete -c privops -n "__fish_privops_using_subcommand notice; and __fish_seen_subcommand_from ack" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c privops -n "__fish_privops_using_subcommand notice; and __fish_seen_subcommand_from ack" -s V -l version -d 'Print version'
complete -c privops -n "__fish_privops_using_subcommand notice; and __fish_seen_subcommand_from pending" -l purpose -d 'Instead: the people whose consent to this purpose stands on an older text' -r
complete -c privops -n "__fish_privops_using_subcommand notice; and __fish_seen_subcommand_from pending" -l policy -d 'The policy folder' -r -F
complete -c privops -n "__fish_privops_using_subcommand notice; and __fish_seen_subcommand_from pending" -l state -d 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]' -r
complete -c privops -n "__fish_privops_using_subcommand notice; and __fish_seen_subcommand_from pending" -l format -d 'Output format' -r -f -a "human\t'Tables and sentences for people'
json\t'JSON for scripts'
md\t'Markdown (reports and maps)'
csv\t'CSV (reports and maps)'
html\t'One self-contained HTML page (reports)'"
complete -c privops -n "__fish_privops_using_subcommand notice; and __fish_seen_subcommand_from pending" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c privops -n "__fish_privops_using_subcommand notice; and __fish_seen_subcommand_from pending" -l actor -d 'Who is acting, as recorded in the audit trail [default: $USER]' -r
complete -c privops -n "__fish_privops_using_subcommand notice; and __fish_seen_subcommand_from pending" -s q -l quiet -d 'Print no status messages (data is still printed)'
complete -c privops -n "__fish_privops_using_subcommand notice; and __fish_seen_subcommand_from pending" -s v -l verbose -d 'Print more detail about what is done'
complete -c privops -n "__fish_privops_using_subcommand notice; and __fish_seen_subcommand_from pending" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c privops -n "__fish_privops_using_subcommand notice; and __fish_seen_subcommand_from pending" -s V -l version -d 'Print version'
complete -c privops -n "__fish_privops_using_subcommand notice; and __fish_seen_subcommand_from list" -l policy -d 'The policy folder' -r -F
complete -c privops -n "__fish_privops_using_subcommand notice; and __fish_seen_subcommand_from list" -l state -d 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]' -r
complete -c privops -n "__fish_privops_using_subcommand notice; and __fish_seen_subcommand_from list" -l format -d 'Output format' -r -f -a "human\t'Tables and sentences for people'
json\t'JSON for scripts'
md\t'Markdown (reports and maps)'
csv\t'CSV (reports and maps)'
html\t'One self-contained HTML page (reports)'"
complete -c privops -n "__fish_privops_using_subcommand notice; and __fish_seen_subcommand_from list" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c privops -n "__fish_privops_using_subcommand notice; and __fish_seen_subcommand_from list" -l actor -d 'Who is acting, as recorded in the audit trail [default: $USER]' -r
complete -c privops -n "__fish_privops_using_subcommand notice; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print no status messages (data is still printed)'
complete -c privops -n "__fish_privops_using_subcommand notice; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Print more detail about what is done'
complete -c privops -n "__fish_privops_using_subcommand notice; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c privops -n "__fish_privops_using_subcommand notice; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c privops -n "__fish_privops_using_subcommand notice; and __fish_seen_subcommand_from help" -f -a "publish" -d 'Record a version of the privacy notice (the SHA-256 of its text)'
complete -c privops -n "__fish_privops_using_subcommand notice; and __fish_seen_subcommand_from help" -f -a "ack" -d 'Record that a subject acknowledged the notice in force'
complete -c privops -n "__fish_privops_using_subcommand notice; and __fish_seen_subcommand_from help" -f -a "pending" -d 'Who has not acknowledged the notice in force (text, JSON, CSV)'
complete -c privops -n "__fish_privops_using_subcommand notice; and __fish_seen_subcommand_from help" -f -a "list" -d 'The versions published'
complete -c privops -n "__fish_privops_using_subcommand notice; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c privops -n "__fish_privops_using_subcommand request; and not __fish_seen_subcommand_from open list show extend close confirm-manual help" -l policy -d 'The policy folder' -r -F
complete -c privops -n "__fish_privops_using_subcommand request; and not __fish_seen_subcommand_from open list show extend close confirm-manual help" -l state -d 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]' -r
complete -c privops -n "__fish_privops_using_subcommand request; and not __fish_seen_subcommand_from open list show extend close confirm-manual help" -l format -d 'Output format' -r -f -a "human\t'Tables and sentences for people'
json\t'JSON for scripts'
md\t'Markdown (reports and maps)'
csv\t'CSV (reports and maps)'
html\t'One self-contained HTML page (reports)'"
complete -c privops -n "__fish_privops_using_subcommand request; and not __fish_seen_subcommand_from open list show extend close confirm-manual help" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c privops -n "__fish_privops_using_subcommand request; and not __fish_seen_subcommand_from open list show extend close confirm-manual help" -l actor -d 'Who is acting, as recorded in the audit trail [default: $USER]' -r
complete -c privops -n "__fish_privops_using_subcommand request; and not __fish_seen_subcommand_from open list show extend close confirm-manual help" -s q -l quiet -d 'Print no status messages (data is still printed)'
complete -c privops -n "__fish_privops_using_subcommand request; and not __fish_seen_subcommand_from open list show extend close confirm-manual help" -s v -l verbose -d 'Print more detail about what is done'
complete -c privops -n "__fish_privops_using_subcommand request; and not __fish_seen_subcommand_from open list show extend close confirm-manual help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c privops -n "__fish_privops_using_subcommand request; and not __fish_seen_subcommand_from open list show extend close confirm-manual help" -s V -l version -d 'Print version'
complete -c privops -n "__fish_privops_using_subcommand request; and not __fish_seen_subcommand_from open list show extend close confirm-manual help" -f -a "open" -d 'Record a request received from a data subject; prints its id and due date'
complete -c privops -n "__fish_privops_using_subcommand request; and not __fish_seen_subcommand_from open list show extend close confirm-manual help" -f -a "list" -d 'List requests; --overdue exits 3 when any is overdue'
complete -c privops -n "__fish_privops_using_subcommand request; and not __fish_seen_subcommand_from open list show extend close confirm-manual help" -f -a "show" -d 'Show a request with its tasks'
complete -c privops -n "__fish_privops_using_subcommand request; and not __fish_seen_subcommand_from open list show extend close confirm-manual help" -f -a "extend" -d 'Extend a request\'s deadline once by up to two months, with a reason'
complete -c privops -n "__fish_privops_using_subcommand request; and not __fish_seen_subcommand_from open list show extend close confirm-manual help" -f -a "close" -d 'Close a request whose tasks are all done'
complete -c privops -n "__fish_privops_using_subcommand request; and not __fish_seen_subcommand_from open list show extend close confirm-manual help" -f -a "confirm-manual" -d 'Confirm that a manual task (a provider without an API) was done'
complete -c privops -n "__fish_privops_using_subcommand request; and not __fish_seen_subcommand_from open list show extend close confirm-manual help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c privops -n "__fish_privops_using_subcommand request; and __fish_seen_subcommand_from open" -l kind -r -f -a "access\t''
erasure\t''
portability\t''
rectification\t'Art. 16: correct inaccurate data'
restriction\t'Art. 18: restrict processing'
objection\t'Art. 21: object to processing'"
complete -c privops -n "__fish_privops_using_subcommand request; and __fish_seen_subcommand_from open" -l subject -d 'The subject, KIND:VALUE' -r
complete -c privops -n "__fish_privops_using_subcommand request; and __fish_seen_subcommand_from open" -l received -d 'When the request was received (RFC 3339 or a date) [default: now]' -r
complete -c privops -n "__fish_privops_using_subcommand request; and __fish_seen_subcommand_from open" -l note -d 'A note kept with the request' -r
complete -c privops -n "__fish_privops_using_subcommand request; and __fish_seen_subcommand_from open" -l policy -d 'The policy folder' -r -F
complete -c privops -n "__fish_privops_using_subcommand request; and __fish_seen_subcommand_from open" -l state -d 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]' -r
complete -c privops -n "__fish_privops_using_subcommand request; and __fish_seen_subcommand_from open" -l format -d 'Output format' -r -f -a "human\t'Tables and sentences for people'
json\t'JSON for scripts'
md\t'Markdown (reports and maps)'
csv\t'CSV (reports and maps)'
html\t'One self-contained HTML page (reports)'"
complete -c privops -n "__fish_privops_using_subcommand request; and __fish_seen_subcommand_from open" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c privops -n "__fish_privops_using_subcommand request; and __fish_seen_subcommand_from open" -l actor -d 'Who is acting, as recorded in the audit trail [default: $USER]' -r
complete -c privops -n "__fish_privops_using_subcommand request; and __fish_seen_subcommand_from open" -s q -l quiet -d 'Print no status messages (data is still printed)'
complete -c privops -n "__fish_privops_using_subcommand request; and __fish_seen_subcommand_from open" -s v -l verbose -d 'Print more detail about what is done'
complete -c privops -n "__fish_privops_using_subcommand request; and __fish_seen_subcommand_from open" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c privops -n "__fish_privops_using_subcommand request; and __fish_seen_subcommand_from open" -s V -l version -d 'Print version'
complete -c privops -n "__fish_privops_using_subcommand request; and __fish_seen_subcommand_from list" -l due-within -d 'Only open requests due within this many days' -r
complete -c privops -n "__fish_privops_using_subcommand request; and __fish_seen_subcommand_from list" -l status -d 'Only requests with this status' -r -f -a "open\t''
closed\t''"
complete -c privops -n "__fish_privops_using_subcommand request; and __fish_seen_subcommand_from list" -l policy -d 'The policy folder' -r -F
complete -c privops -n "__fish_privops_using_subcommand request; and __fish_seen_subcommand_from list" -l state -d 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]' -r
complete -c privops -n "__fish_privops_using_subcommand request; and __fish_seen_subcommand_from list" -l format -d 'Output format' -r -f -a "human\t'Tables and sentences for people'
json\t'JSON for scripts'
md\t'Markdown (reports and maps)'
csv\t'CSV (reports and maps)'
html\t'One self-contained HTML page (reports)'"
complete -c privops -n "__fish_privops_using_subcommand request; and __fish_seen_subcommand_from list" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c privops -n "__fish_privops_using_subcommand request; and __fish_seen_subcommand_from list" -l actor -d 'Who is acting, as recorded in the audit trail [default: $USER]' -r
complete -c privops -n "__fish_privops_using_subcommand request; and __fish_seen_subcommand_from list" -l overdue -d 'Only open requests past their deadline (exit 3 when there are any)'
complete -c privops -n "__fish_privops_using_subcommand request; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print no status messages (data is still printed)'
complete -c privops -n "__fish_privops_using_subcommand request; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Print more detail about what is done'
complete -c privops -n "__fish_privops_using_subcommand request; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c privops -n "__fish_privops_using_subcommand request; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c privops -n "__fish_privops_using_subcommand request; and __fish_seen_subcommand_from show" -l policy -d 'The policy folder' -r -F
complete -c privops -n "__fish_privops_using_subcommand request; and __fish_seen_subcommand_from show" -l state -d 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]' -r
complete -c privops -n "__fish_privops_using_subcommand request; and __fish_seen_subcommand_from show" -l format -d 'Output format' -r -f -a "human\t'Tables and sentences for people'
json\t'JSON for scripts'
md\t'Markdown (reports and maps)'
csv\t'CSV (reports and maps)'
html\t'One self-contained HTML page (reports)'"
complete -c privops -n "__fish_privops_using_subcommand request; and __fish_seen_subcommand_from show" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c privops -n "__fish_privops_using_subcommand request; and __fish_seen_subcommand_from show" -l actor -d 'Who is acting, as recorded in the audit trail [default: $USER]' -r
complete -c privops -n "__fish_privops_using_subcommand request; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print no status messages (data is still printed)'
complete -c privops -n "__fish_privops_using_subcommand request; and __fish_seen_subcommand_from show" -s v -l verbose -d 'Print more detail about what is done'
complete -c privops -n "__fish_privops_using_subcommand request; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c privops -n "__fish_privops_using_subcommand request; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c privops -n "__fish_privops_using_subcommand request; and __fish_seen_subcommand_from extend" -l reason -d 'Why more time is needed (recorded, and owed to the subject)' -r
complete -c privops -n "__fish_privops_using_subcommand request; and __fish_seen_subcommand_from extend" -l months -d 'By how many months (1 or 2)' -r
complete -c privops -n "__fish_privops_using_subcommand request; and __fish_seen_subcommand_from extend" -l policy -d 'The policy folder' -r -F
complete -c privops -n "__fish_privops_using_subcommand request; and __fish_seen_subcommand_from extend" -l state -d 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]' -r
complete -c privops -n "__fish_privops_using_subcommand request; and __fish_seen_subcommand_from extend" -l format -d 'Output format' -r -f -a "human\t'Tables and sentences for people'
json\t'JSON for scripts'
md\t'Markdown (reports and maps)'
csv\t'CSV (reports and maps)'
html\t'One self-contained HTML page (reports)'"
complete -c privops -n "__fish_privops_using_subcommand request; and __fish_seen_subcommand_from extend" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c privops -n "__fish_privops_using_subcommand request; and __fish_seen_subcommand_from extend" -l actor -d 'Who is acting, as recorded in the audit trail [default: $USER]' -r
complete -c privops -n "__fish_privops_using_subcommand request; and __fish_seen_subcommand_from extend" -s q -l quiet -d 'Print no status messages (data is still printed)'
complete -c privops -n "__fish_privops_using_subcommand request; and __fish_seen_subcommand_from extend" -s v -l verbose -d 'Print more detail about what is done'
complete -c privops -n "__fish_privops_using_subcommand request; and __fish_seen_subcommand_from extend" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c privops -n "__fish_privops_using_subcommand request; and __fish_seen_subcommand_from extend" -s V -l version -d 'Print version'
complete -c privops -n "__fish_privops_using_subcommand request; and __fish_seen_subcommand_from close" -l policy -d 'The policy folder' -r -F
complete -c privops -n "__fish_privops_using_subcommand request; and __fish_seen_subcommand_from close" -l state -d 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]' -r
complete -c privops -n "__fish_privops_using_subcommand request; and __fish_seen_subcommand_from close" -l format -d 'Output format' -r -f -a "human\t'Tables and sentences for people'
json\t'JSON for scripts'
md\t'Markdown (reports and maps)'
csv\t'CSV (reports and maps)'
html\t'One self-contained HTML page (reports)'"
complete -c privops -n "__fish_privops_using_subcommand request; and __fish_seen_subcommand_from close" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c privops -n "__fish_privops_using_subcommand request; and __fish_seen_subcommand_from close" -l actor -d 'Who is acting, as recorded in the audit trail [default: $USER]' -r
complete -c privops -n "__fish_privops_using_subcommand request; and __fish_seen_subcommand_from close" -s q -l quiet -d 'Print no status messages (data is still printed)'
complete -c privops -n "__fish_privops_using_subcommand request; and __fish_seen_subcommand_from close" -s v -l verbose -d 'Print more detail about what is done'
complete -c privops -n "__fish_privops_using_subcommand request; and __fish_seen_subcommand_from close" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c privops -n "__fish_privops_using_subcommand request; and __fish_seen_subcommand_from close" -s V -l version -d 'Print version'
complete -c privops -n "__fish_privops_using_subcommand request; and __fish_seen_subcommand_from confirm-manual" -l note -d 'What was done, kept with the task' -r
complete -c privops -n "__fish_privops_using_subcommand request; and __fish_seen_subcommand_from confirm-manual" -l policy -d 'The policy folder' -r -F
complete -c privops -n "__fish_privops_using_subcommand request; and __fish_seen_subcommand_from confirm-manual" -l state -d 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]' -r
complete -c privops -n "__fish_privops_using_subcommand request; and __fish_seen_subcommand_from confirm-manual" -l format -d 'Output format' -r -f -a "human\t'Tables and sentences for people'
json\t'JSON for scripts'
md\t'Markdown (reports and maps)'
csv\t'CSV (reports and maps)'
html\t'One self-contained HTML page (reports)'"
complete -c privops -n "__fish_privops_using_subcommand request; and __fish_seen_subcommand_from confirm-manual" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c privops -n "__fish_privops_using_subcommand request; and __fish_seen_subcommand_from confirm-manual" -l actor -d 'Who is acting, as recorded in the audit trail [default: $USER]' -r
complete -c privops -n "__fish_privops_using_subcommand request; and __fish_seen_subcommand_from confirm-manual" -s q -l quiet -d 'Print no status messages (data is still printed)'
complete -c privops -n "__fish_privops_using_subcommand request; and __fish_seen_subcommand_from confirm-manual" -s v -l verbose -d 'Print more detail about what is done'
complete -c privops -n "__fish_privops_using_subcommand request; and __fish_seen_subcommand_from confirm-manual" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c privops -n "__fish_privops_using_subcommand request; and __fish_seen_subcommand_from confirm-manual" -s V -l version -d 'Print version'
complete -c privops -n "__fish_privops_using_subcommand request; and __fish_seen_subcommand_from help" -f -a "open" -d 'Record a request received from a data subject; prints its id and due date'
complete -c privops -n "__fish_privops_using_subcommand request; and __fish_seen_subcommand_from help" -f -a "list" -d 'List requests; --overdue exits 3 when any is overdue'
complete -c privops -n "__fish_privops_using_subcommand request; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show a request with its tasks'
complete -c privops -n "__fish_privops_using_subcommand request; and __fish_seen_subcommand_from help" -f -a "extend" -d 'Extend a request\'s deadline once by up to two months, with a reason'
complete -c privops -n "__fish_privops_using_subcommand request; and __fish_seen_subcommand_from help" -f -a "close" -d 'Close a request whose tasks are all done'
complete -c privops -n "__fish_privops_using_subcommand request; and __fish_seen_subcommand_from help" -f -a "confirm-manual" -d 'Confirm that a manual task (a provider without an API) was done'
complete -c privops -n "__fish_privops_using_subcommand request; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c privops -n "__fish_privops_using_subcommand access" -l subject -d 'The subject, KIND:VALUE; repeat for several identities of one person' -r
complete -c privops -n "__fish_privops_using_subcommand access" -l request -d 'The request this export answers' -r
complete -c privops -n "__fish_privops_using_subcommand access" -l out -d 'The file to write' -r -F
complete -c privops -n "__fish_privops_using_subcommand access" -l recipient -d 'Encrypt to this age public key (age1...); repeatable' -r
complete -c privops -n "__fish_privops_using_subcommand access" -l passphrase-env -d 'Encrypt with the passphrase held in this environment variable' -r
complete -c privops -n "__fish_privops_using_subcommand access" -l policy -d 'The policy folder' -r -F
complete -c privops -n "__fish_privops_using_subcommand access" -l state -d 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]' -r
complete -c privops -n "__fish_privops_using_subcommand access" -l format -d 'Output format' -r -f -a "human\t'Tables and sentences for people'
json\t'JSON for scripts'
md\t'Markdown (reports and maps)'
csv\t'CSV (reports and maps)'
html\t'One self-contained HTML page (reports)'"
complete -c privops -n "__fish_privops_using_subcommand access" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c privops -n "__fish_privops_using_subcommand access" -l actor -d 'Who is acting, as recorded in the audit trail [default: $USER]' -r
complete -c privops -n "__fish_privops_using_subcommand access" -l force -d 'Replace the file if it exists'
complete -c privops -n "__fish_privops_using_subcommand access" -l no-providers -d 'Do not query provider APIs (recorded in the archive and the audit trail)'
complete -c privops -n "__fish_privops_using_subcommand access" -s q -l quiet -d 'Print no status messages (data is still printed)'
complete -c privops -n "__fish_privops_using_subcommand access" -s v -l verbose -d 'Print more detail about what is done'
complete -c privops -n "__fish_privops_using_subcommand access" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c privops -n "__fish_privops_using_subcommand access" -s V -l version -d 'Print version'
complete -c privops -n "__fish_privops_using_subcommand rectify" -l subject -d 'The subject, KIND:VALUE [default: the request\'s]' -r
complete -c privops -n "__fish_privops_using_subcommand rectify" -l set -d 'A correction: a category (user.contact.email) or SOURCE.TABLE.COLUMN, and the corrected value; repeat for several' -r
complete -c privops -n "__fish_privops_using_subcommand rectify" -l request -d 'The rectification request this answers; one is opened otherwise' -r
complete -c privops -n "__fish_privops_using_subcommand rectify" -l policy -d 'The policy folder' -r -F
complete -c privops -n "__fish_privops_using_subcommand rectify" -l state -d 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]' -r
complete -c privops -n "__fish_privops_using_subcommand rectify" -l format -d 'Output format' -r -f -a "human\t'Tables and sentences for people'
json\t'JSON for scripts'
md\t'Markdown (reports and maps)'
csv\t'CSV (reports and maps)'
html\t'One self-contained HTML page (reports)'"
complete -c privops -n "__fish_privops_using_subcommand rectify" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c privops -n "__fish_privops_using_subcommand rectify" -l actor -d 'Who is acting, as recorded in the audit trail [default: $USER]' -r
complete -c privops -n "__fish_privops_using_subcommand rectify" -l dry-run -d 'Show what would be done (with the SQL under --format json) and change nothing'
complete -c privops -n "__fish_privops_using_subcommand rectify" -l yes -d 'Do not ask for confirmation (required without a terminal)'
complete -c privops -n "__fish_privops_using_subcommand rectify" -s q -l quiet -d 'Print no status messages (data is still printed)'
complete -c privops -n "__fish_privops_using_subcommand rectify" -s v -l verbose -d 'Print more detail about what is done'
complete -c privops -n "__fish_privops_using_subcommand rectify" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c privops -n "__fish_privops_using_subcommand rectify" -s V -l version -d 'Print version'
complete -c privops -n "__fish_privops_using_subcommand erase" -l subject -d 'A subject, KIND:VALUE; repeatable' -r
complete -c privops -n "__fish_privops_using_subcommand erase" -l subjects-file -d 'Read subjects (one KIND:VALUE per line, `#` comments) from FILE, or `-` for stdin' -r -F
complete -c privops -n "__fish_privops_using_subcommand erase" -l request -d 'The erasure request this answers (one subject); one is opened otherwise' -r
complete -c privops -n "__fish_privops_using_subcommand erase" -l receipt-dir -d 'Where to write the receipt [default: .privops/receipts beside the policy folder]' -r -F
complete -c privops -n "__fish_privops_using_subcommand erase" -l policy -d 'The policy folder' -r -F
complete -c privops -n "__fish_privops_using_subcommand erase" -l state -d 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]' -r
complete -c privops -n "__fish_privops_using_subcommand erase" -l format -d 'Output format' -r -f -a "human\t'Tables and sentences for people'
json\t'JSON for scripts'
md\t'Markdown (reports and maps)'
csv\t'CSV (reports and maps)'
html\t'One self-contained HTML page (reports)'"
complete -c privops -n "__fish_privops_using_subcommand erase" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c privops -n "__fish_privops_using_subcommand erase" -l actor -d 'Who is acting, as recorded in the audit trail [default: $USER]' -r
complete -c privops -n "__fish_privops_using_subcommand erase" -l dry-run -d 'Show what would be done (with the SQL under --format json) and change nothing'
complete -c privops -n "__fish_privops_using_subcommand erase" -l yes -d 'Do not ask for confirmation (required without a terminal)'
complete -c privops -n "__fish_privops_using_subcommand erase" -s q -l quiet -d 'Print no status messages (data is still printed)'
complete -c privops -n "__fish_privops_using_subcommand erase" -s v -l verbose -d 'Print more detail about what is done'
complete -c privops -n "__fish_privops_using_subcommand erase" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c privops -n "__fish_privops_using_subcommand erase" -s V -l version -d 'Print version'
complete -c privops -n "__fish_privops_using_subcommand offboard" -l tenant -d 'The account\'s key, as the policy\'s [tenant] table holds it' -r
complete -c privops -n "__fish_privops_using_subcommand offboard" -l request -d 'The instruction this answers, as a reference (a ticket number): recorded in the audit trail and the certificate' -r
complete -c privops -n "__fish_privops_using_subcommand offboard" -l export -d 'First write the account\'s data into this archive (the access export\'s format)' -r -F
complete -c privops -n "__fish_privops_using_subcommand offboard" -l recipient -d 'Encrypt the export to this age public key (age1...); repeatable' -r
complete -c privops -n "__fish_privops_using_subcommand offboard" -l passphrase-env -d 'Encrypt the export with the passphrase held in this environment variable' -r
complete -c privops -n "__fish_privops_using_subcommand offboard" -l confirm-task -d 'Confirm that a manual task of the unfinished offboarding is done; repeatable' -r
complete -c privops -n "__fish_privops_using_subcommand offboard" -l note -d 'A note kept with the confirmed tasks (who was asked, a ticket)' -r
complete -c privops -n "__fish_privops_using_subcommand offboard" -l certificate-dir -d 'Where to write the certificate [default: .privops/certificates beside the policy folder]' -r -F
complete -c privops -n "__fish_privops_using_subcommand offboard" -l key -d 'The audit signing key that signs the certificate [default: .privops/audit-signing.key]' -r -F
complete -c privops -n "__fish_privops_using_subcommand offboard" -l policy -d 'The policy folder' -r -F
complete -c privops -n "__fish_privops_using_subcommand offboard" -l state -d 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]' -r
complete -c privops -n "__fish_privops_using_subcommand offboard" -l format -d 'Output format' -r -f -a "human\t'Tables and sentences for people'
json\t'JSON for scripts'
md\t'Markdown (reports and maps)'
csv\t'CSV (reports and maps)'
html\t'One self-contained HTML page (reports)'"
complete -c privops -n "__fish_privops_using_subcommand offboard" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c privops -n "__fish_privops_using_subcommand offboard" -l actor -d 'Who is acting, as recorded in the audit trail [default: $USER]' -r
complete -c privops -n "__fish_privops_using_subcommand offboard" -l dry-run -d 'Show what would be done (with the SQL under --format json) and change nothing'
complete -c privops -n "__fish_privops_using_subcommand offboard" -l yes -d 'Do not ask for confirmation (required without a terminal)'
complete -c privops -n "__fish_privops_using_subcommand offboard" -s q -l quiet -d 'Print no status messages (data is still printed)'
complete -c privops -n "__fish_privops_using_subcommand offboard" -s v -l verbose -d 'Print more detail about what is done'
complete -c privops -n "__fish_privops_using_subcommand offboard" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c privops -n "__fish_privops_using_subcommand offboard" -s V -l version -d 'Print version'
complete -c privops -n "__fish_privops_using_subcommand retention; and not __fish_seen_subcommand_from plan sweep help" -l policy -d 'The policy folder' -r -F
complete -c privops -n "__fish_privops_using_subcommand retention; and not __fish_seen_subcommand_from plan sweep help" -l state -d 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]' -r
complete -c privops -n "__fish_privops_using_subcommand retention; and not __fish_seen_subcommand_from plan sweep help" -l format -d 'Output format' -r -f -a "human\t'Tables and sentences for people'
json\t'JSON for scripts'
md\t'Markdown (reports and maps)'
csv\t'CSV (reports and maps)'
html\t'One self-contained HTML page (reports)'"
complete -c privops -n "__fish_privops_using_subcommand retention; and not __fish_seen_subcommand_from plan sweep help" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c privops -n "__fish_privops_using_subcommand retention; and not __fish_seen_subcommand_from plan sweep help" -l actor -d 'Who is acting, as recorded in the audit trail [default: $USER]' -r
complete -c privops -n "__fish_privops_using_subcommand retention; and not __fish_seen_subcommand_from plan sweep help" -s q -l quiet -d 'Print no status messages (data is still printed)'
complete -c privops -n "__fish_privops_using_subcommand retention; and not __fish_seen_subcommand_from plan sweep help" -s v -l verbose -d 'Print more detail about what is done'
complete -c privops -n "__fish_privops_using_subcommand retention; and not __fish_seen_subcommand_from plan sweep help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c privops -n "__fish_privops_using_subcommand retention; and not __fish_seen_subcommand_from plan sweep help" -s V -l version -d 'Print version'
complete -c privops -n "__fish_privops_using_subcommand retention; and not __fish_seen_subcommand_from plan sweep help" -f -a "plan" -d 'Per table: the rule, the cutoff, the rows due and the rows holds keep'
complete -c privops -n "__fish_privops_using_subcommand retention; and not __fish_seen_subcommand_from plan sweep help" -f -a "sweep" -d 'Delete, anonymise or roll up the rows past their period, in short chunks'
complete -c privops -n "__fish_privops_using_subcommand retention; and not __fish_seen_subcommand_from plan sweep help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c privops -n "__fish_privops_using_subcommand retention; and __fish_seen_subcommand_from plan" -l source -d 'Only this source' -r
complete -c privops -n "__fish_privops_using_subcommand retention; and __fish_seen_subcommand_from plan" -l table -d 'Only this table' -r
complete -c privops -n "__fish_privops_using_subcommand retention; and __fish_seen_subcommand_from plan" -l policy -d 'The policy folder' -r -F
complete -c privops -n "__fish_privops_using_subcommand retention; and __fish_seen_subcommand_from plan" -l state -d 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]' -r
complete -c privops -n "__fish_privops_using_subcommand retention; and __fish_seen_subcommand_from plan" -l format -d 'Output format' -r -f -a "human\t'Tables and sentences for people'
json\t'JSON for scripts'
md\t'Markdown (reports and maps)'
csv\t'CSV (reports and maps)'
html\t'One self-contained HTML page (reports)'"
complete -c privops -n "__fish_privops_using_subcommand retention; and __fish_seen_subcommand_from plan" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c privops -n "__fish_privops_using_subcommand retention; and __fish_seen_subcommand_from plan" -l actor -d 'Who is acting, as recorded in the audit trail [default: $USER]' -r
complete -c privops -n "__fish_privops_using_subcommand retention; and __fish_seen_subcommand_from plan" -s q -l quiet -d 'Print no status messages (data is still printed)'
complete -c privops -n "__fish_privops_using_subcommand retention; and __fish_seen_subcommand_from plan" -s v -l verbose -d 'Print more detail about what is done'
complete -c privops -n "__fish_privops_using_subcommand retention; and __fish_seen_subcommand_from plan" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c privops -n "__fish_privops_using_subcommand retention; and __fish_seen_subcommand_from plan" -s V -l version -d 'Print version'
complete -c privops -n "__fish_privops_using_subcommand retention; and __fish_seen_subcommand_from sweep" -l source -d 'Only this source' -r
complete -c privops -n "__fish_privops_using_subcommand retention; and __fish_seen_subcommand_from sweep" -l table -d 'Only this table' -r
complete -c privops -n "__fish_privops_using_subcommand retention; and __fish_seen_subcommand_from sweep" -l batch-size -d 'Rows per chunk (each chunk is one short transaction) [default: adapts, from 20000]' -r
complete -c privops -n "__fish_privops_using_subcommand retention; and __fish_seen_subcommand_from sweep" -l max-duration -d 'Stop after this long (e.g. 10m, 1h); a later sweep finishes the job' -r
complete -c privops -n "__fish_privops_using_subcommand retention; and __fish_seen_subcommand_from sweep" -l policy -d 'The policy folder' -r -F
complete -c privops -n "__fish_privops_using_subcommand retention; and __fish_seen_subcommand_from sweep" -l state -d 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]' -r
complete -c privops -n "__fish_privops_using_subcommand retention; and __fish_seen_subcommand_from sweep" -l format -d 'Output format' -r -f -a "human\t'Tables and sentences for people'
json\t'JSON for scripts'
md\t'Markdown (reports and maps)'
csv\t'CSV (reports and maps)'
html\t'One self-contained HTML page (reports)'"
complete -c privops -n "__fish_privops_using_subcommand retention; and __fish_seen_subcommand_from sweep" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c privops -n "__fish_privops_using_subcommand retention; and __fish_seen_subcommand_from sweep" -l actor -d 'Who is acting, as recorded in the audit trail [default: $USER]' -r
complete -c privops -n "__fish_privops_using_subcommand retention; and __fish_seen_subcommand_from sweep" -l dry-run -d 'Show what would be done (with the SQL under --format json) and change nothing'
complete -c privops -n "__fish_privops_using_subcommand retention; and __fish_seen_subcommand_from sweep" -s q -l quiet -d 'Print no status messages (data is still printed)'
complete -c privops -n "__fish_privops_using_subcommand retention; and __fish_seen_subcommand_from sweep" -s v -l verbose -d 'Print more detail about what is done'
complete -c privops -n "__fish_privops_using_subcommand retention; and __fish_seen_subcommand_from sweep" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c privops -n "__fish_privops_using_subcommand retention; and __fish_seen_subcommand_from sweep" -s V -l version -d 'Print version'
complete -c privops -n "__fish_privops_using_subcommand retention; and __fish_seen_subcommand_from help" -f -a "plan" -d 'Per table: the rule, the cutoff, the rows due and the rows holds keep'
complete -c privops -n "__fish_privops_using_subcommand retention; and __fish_seen_subcommand_from help" -f -a "sweep" -d 'Delete, anonymise or roll up the rows past their period, in short chunks'
complete -c privops -n "__fish_privops_using_subcommand retention; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c privops -n "__fish_privops_using_subcommand audit; and not __fish_seen_subcommand_from log verify find report checkpoint export help" -l policy -d 'The policy folder' -r -F
complete -c privops -n "__fish_privops_using_subcommand audit; and not __fish_seen_subcommand_from log verify find report checkpoint export help" -l state -d 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]' -r
complete -c privops -n "__fish_privops_using_subcommand audit; and not __fish_seen_subcommand_from log verify find report checkpoint export help" -l format -d 'Output format' -r -f -a "human\t'Tables and sentences for people'
json\t'JSON for scripts'
md\t'Markdown (reports and maps)'
csv\t'CSV (reports and maps)'
html\t'One self-contained HTML page (reports)'"
complete -c privops -n "__fish_privops_using_subcommand audit; and not __fish_seen_subcommand_from log verify find report checkpoint export help" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c privops -n "__fish_privops_using_subcommand audit; and not __fish_seen_subcommand_from log verify find report checkpoint export help" -l actor -d 'Who is acting, as recorded in the audit trail [default: $USER]' -r
complete -c privops -n "__fish_privops_using_subcommand audit; and not __fish_seen_subcommand_from log verify find report checkpoint export help" -s q -l quiet -d 'Print no status messages (data is still printed)'
complete -c privops -n "__fish_privops_using_subcommand audit; and not __fish_seen_subcommand_from log verify find report checkpoint export help" -s v -l verbose -d 'Print more detail about what is done'
complete -c privops -n "__fish_privops_using_subcommand audit; and not __fish_seen_subcommand_from log verify find report checkpoint export help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c privops -n "__fish_privops_using_subcommand audit; and not __fish_seen_subcommand_from log verify find report checkpoint export help" -s V -l version -d 'Print version'
complete -c privops -n "__fish_privops_using_subcommand audit; and not __fish_seen_subcommand_from log verify find report checkpoint export help" -f -a "log" -d 'Show audit entries, oldest first'
complete -c privops -n "__fish_privops_using_subcommand audit; and not __fish_seen_subcommand_from log verify find report checkpoint export help" -f -a "verify" -d 'Recompute the hash chain and check every signed checkpoint; exit 3 when broken'
complete -c privops -n "__fish_privops_using_subcommand audit; and not __fish_seen_subcommand_from log verify find report checkpoint export help" -f -a "find" -d 'The entries about a subject, found by their keyed reference (works after erasure)'
complete -c privops -n "__fish_privops_using_subcommand audit; and not __fish_seen_subcommand_from log verify find report checkpoint export help" -f -a "report" -d 'The accountability report for a period (md, html, csv or json)'
complete -c privops -n "__fish_privops_using_subcommand audit; and not __fish_seen_subcommand_from log verify find report checkpoint export help" -f -a "checkpoint" -d 'Sign the chain\'s size and head hash with an Ed25519 key'
complete -c privops -n "__fish_privops_using_subcommand audit; and not __fish_seen_subcommand_from log verify find report checkpoint export help" -f -a "export" -d 'A zip archive for auditors: entries, report, checkpoints, public key, VERIFY.md'
complete -c privops -n "__fish_privops_using_subcommand audit; and not __fish_seen_subcommand_from log verify find report checkpoint export help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c privops -n "__fish_privops_using_subcommand audit; and __fish_seen_subcommand_from log" -l from -d 'From this time (RFC 3339 or a date), inclusive' -r
complete -c privops -n "__fish_privops_using_subcommand audit; and __fish_seen_subcommand_from log" -l to -d 'Up to this time (RFC 3339 or a date), exclusive' -r
complete -c privops -n "__fish_privops_using_subcommand audit; and __fish_seen_subcommand_from log" -l action -d 'Only this action (`consent.grant`), or a family (`consent.*`)' -r
complete -c privops -n "__fish_privops_using_subcommand audit; and __fish_seen_subcommand_from log" -l subject -d 'Only entries about this subject (KIND:VALUE)' -r
complete -c privops -n "__fish_privops_using_subcommand audit; and __fish_seen_subcommand_from log" -l policy -d 'The policy folder' -r -F
complete -c privops -n "__fish_privops_using_subcommand audit; and __fish_seen_subcommand_from log" -l state -d 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]' -r
complete -c privops -n "__fish_privops_using_subcommand audit; and __fish_seen_subcommand_from log" -l format -d 'Output format' -r -f -a "human\t'Tables and sentences for people'
json\t'JSON for scripts'
md\t'Markdown (reports and maps)'
csv\t'CSV (reports and maps)'
html\t'One self-contained HTML page (reports)'"
complete -c privops -n "__fish_privops_using_subcommand audit; and __fish_seen_subcommand_from log" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c privops -n "__fish_privops_using_subcommand audit; and __fish_seen_subcommand_from log" -l actor -d 'Who is acting, as recorded in the audit trail [default: $USER]' -r
complete -c privops -n "__fish_privops_using_subcommand audit; and __fish_seen_subcommand_from log" -s q -l quiet -d 'Print no status messages (data is still printed)'
complete -c privops -n "__fish_privops_using_subcommand audit; and __fish_seen_subcommand_from log" -s v -l verbose -d 'Print more detail about what is done'
complete -c privops -n "__fish_privops_using_subcommand audit; and __fish_seen_subcommand_from log" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c privops -n "__fish_privops_using_subcommand audit; and __fish_seen_subcommand_from log" -s V -l version -d 'Print version'
complete -c privops -n "__fish_privops_using_subcommand audit; and __fish_seen_subcommand_from verify" -l key -d 'The Ed25519 signing key (PKCS#8 PEM) [default: .privops/audit-signing.key]' -r -F
complete -c privops -n "__fish_privops_using_subcommand audit; and __fish_seen_subcommand_from verify" -l trusted-key -d 'Check the checkpoints against this Ed25519 public key (PEM), kept apart from the store, instead of the signing key beside it; at least one checkpoint must be signed by it' -r -F
complete -c privops -n "__fish_privops_using_subcommand audit; and __fish_seen_subcommand_from verify" -l expect-head -d 'Fail (exit 3) unless the chain still holds the entry with this hash: a head recorded earlier (from `audit verify` or `audit checkpoint`) catches a truncated or rewritten tail' -r
complete -c privops -n "__fish_privops_using_subcommand audit; and __fish_seen_subcommand_from verify" -l max-checkpoint-age -d 'Warn when no verified checkpoint is newer than this, counted back from the command\'s time (e.g. 12h, 7d, 4w)' -r
complete -c privops -n "__fish_privops_using_subcommand audit; and __fish_seen_subcommand_from verify" -l policy -d 'The policy folder' -r -F
complete -c privops -n "__fish_privops_using_subcommand audit; and __fish_seen_subcommand_from verify" -l state -d 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]' -r
complete -c privops -n "__fish_privops_using_subcommand audit; and __fish_seen_subcommand_from verify" -l format -d 'Output format' -r -f -a "human\t'Tables and sentences for people'
json\t'JSON for scripts'
md\t'Markdown (reports and maps)'
csv\t'CSV (reports and maps)'
html\t'One self-contained HTML page (reports)'"
complete -c privops -n "__fish_privops_using_subcommand audit; and __fish_seen_subcommand_from verify" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c privops -n "__fish_privops_using_subcommand audit; and __fish_seen_subcommand_from verify" -l actor -d 'Who is acting, as recorded in the audit trail [default: $USER]' -r
complete -c privops -n "__fish_privops_using_subcommand audit; and __fish_seen_subcommand_from verify" -s q -l quiet -d 'Print no status messages (data is still printed)'
complete -c privops -n "__fish_privops_using_subcommand audit; and __fish_seen_subcommand_from verify" -s v -l verbose -d 'Print more detail about what is done'
complete -c privops -n "__fish_privops_using_subcommand audit; and __fish_seen_subcommand_from verify" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c privops -n "__fish_privops_using_subcommand audit; and __fish_seen_subcommand_from verify" -s V -l version -d 'Print version'
complete -c privops -n "__fish_privops_using_subcommand audit; and __fish_seen_subcommand_from find" -l subject -d 'The subject, KIND:VALUE' -r
complete -c privops -n "__fish_privops_using_subcommand audit; and __fish_seen_subcommand_from find" -l policy -d 'The policy folder' -r -F
complete -c privops -n "__fish_privops_using_subcommand audit; and __fish_seen_subcommand_from find" -l state -d 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]' -r
complete -c privops -n "__fish_privops_using_subcommand audit; and __fish_seen_subcommand_from find" -l format -d 'Output format' -r -f -a "human\t'Tables and sentences for people'
json\t'JSON for scripts'
md\t'Markdown (reports and maps)'
csv\t'CSV (reports and maps)'
html\t'One self-contained HTML page (reports)'"
complete -c privops -n "__fish_privops_using_subcommand audit; and __fish_seen_subcommand_from find" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c privops -n "__fish_privops_using_subcommand audit; and __fish_seen_subcommand_from find" -l actor -d 'Who is acting, as recorded in the audit trail [default: $USER]' -r
complete -c privops -n "__fish_privops_using_subcommand audit; and __fish_seen_subcommand_from find" -s q -l quiet -d 'Print no status messages (data is still printed)'
complete -c privops -n "__fish_privops_using_subcommand audit; and __fish_seen_subcommand_from find" -s v -l verbose -d 'Print more detail about what is done'
complete -c privops -n "__fish_privops_using_subcommand audit; and __fish_seen_subcommand_from find" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c privops -n "__fish_privops_using_subcommand audit; and __fish_seen_subcommand_from find" -s V -l version -d 'Print version'
complete -c privops -n "__fish_privops_using_subcommand audit; and __fish_seen_subcommand_from report" -l from -d 'From this time (RFC 3339 or a date), inclusive' -r
complete -c privops -n "__fish_privops_using_subcommand audit; and __fish_seen_subcommand_from report" -l to -d 'Up to this time (RFC 3339 or a date), exclusive' -r
complete -c privops -n "__fish_privops_using_subcommand audit; and __fish_seen_subcommand_from report" -l out -d 'Write to this file instead of stdout' -r -F
complete -c privops -n "__fish_privops_using_subcommand audit; and __fish_seen_subcommand_from report" -l trusted-key -d 'Check the checkpoints against this public key (PEM) instead of the workspace\'s own signing key' -r -F
complete -c privops -n "__fish_privops_using_subcommand audit; and __fish_seen_subcommand_from report" -l policy -d 'The policy folder' -r -F
complete -c privops -n "__fish_privops_using_subcommand audit; and __fish_seen_subcommand_from report" -l state -d 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]' -r
complete -c privops -n "__fish_privops_using_subcommand audit; and __fish_seen_subcommand_from report" -l format -d 'Output format' -r -f -a "human\t'Tables and sentences for people'
json\t'JSON for scripts'
md\t'Markdown (reports and maps)'
csv\t'CSV (reports and maps)'
html\t'One self-contained HTML page (reports)'"
complete -c privops -n "__fish_privops_using_subcommand audit; and __fish_seen_subcommand_from report" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c privops -n "__fish_privops_using_subcommand audit; and __fish_seen_subcommand_from report" -l actor -d 'Who is acting, as recorded in the audit trail [default: $USER]' -r
complete -c privops -n "__fish_privops_using_subcommand audit; and __fish_seen_subcommand_from report" -l force -d 'Replace the --out file if it exists'
complete -c privops -n "__fish_privops_using_subcommand audit; and __fish_seen_subcommand_from report" -s q -l quiet -d 'Print no status messages (data is still printed)'
complete -c privops -n "__fish_privops_using_subcommand audit; and __fish_seen_subcommand_from report" -s v -l verbose -d 'Print more detail about what is done'
complete -c privops -n "__fish_privops_using_subcommand audit; and __fish_seen_subcommand_from report" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c privops -n "__fish_privops_using_subcommand audit; and __fish_seen_subcommand_from report" -s V -l version -d 'Print version'
complete -c privops -n "__fish_privops_using_subcommand audit; and __fish_seen_subcommand_from checkpoint" -l key -d 'The Ed25519 signing key (PKCS#8 PEM) [default: .privops/audit-signing.key]' -r -F
complete -c privops -n "__fish_privops_using_subcommand audit; and __fish_seen_subcommand_from checkpoint" -l policy -d 'The policy folder' -r -F
complete -c privops -n "__fish_privops_using_subcommand audit; and __fish_seen_subcommand_from checkpoint" -l state -d 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]' -r
complete -c privops -n "__fish_privops_using_subcommand audit; and __fish_seen_subcommand_from checkpoint" -l format -d 'Output format' -r -f -a "human\t'Tables and sentences for people'
json\t'JSON for scripts'
md\t'Markdown (reports and maps)'
csv\t'CSV (reports and maps)'
html\t'One self-contained HTML page (reports)'"
complete -c privops -n "__fish_privops_using_subcommand audit; and __fish_seen_subcommand_from checkpoint" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c privops -n "__fish_privops_using_subcommand audit; and __fish_seen_subcommand_from checkpoint" -l actor -d 'Who is acting, as recorded in the audit trail [default: $USER]' -r
complete -c privops -n "__fish_privops_using_subcommand audit; and __fish_seen_subcommand_from checkpoint" -s q -l quiet -d 'Print no status messages (data is still printed)'
complete -c privops -n "__fish_privops_using_subcommand audit; and __fish_seen_subcommand_from checkpoint" -s v -l verbose -d 'Print more detail about what is done'
complete -c privops -n "__fish_privops_using_subcommand audit; and __fish_seen_subcommand_from checkpoint" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c privops -n "__fish_privops_using_subcommand audit; and __fish_seen_subcommand_from checkpoint" -s V -l version -d 'Print version'
complete -c privops -n "__fish_privops_using_subcommand audit; and __fish_seen_subcommand_from export" -l from -d 'From this time (RFC 3339 or a date), inclusive' -r
complete -c privops -n "__fish_privops_using_subcommand audit; and __fish_seen_subcommand_from export" -l to -d 'Up to this time (RFC 3339 or a date), exclusive' -r
complete -c privops -n "__fish_privops_using_subcommand audit; and __fish_seen_subcommand_from export" -l out -d 'The file to write' -r -F
complete -c privops -n "__fish_privops_using_subcommand audit; and __fish_seen_subcommand_from export" -l recipient -d 'Encrypt to this age public key; repeatable' -r
complete -c privops -n "__fish_privops_using_subcommand audit; and __fish_seen_subcommand_from export" -l key -d 'The Ed25519 signing key (PKCS#8 PEM) [default: .privops/audit-signing.key]' -r -F
complete -c privops -n "__fish_privops_using_subcommand audit; and __fish_seen_subcommand_from export" -l policy -d 'The policy folder' -r -F
complete -c privops -n "__fish_privops_using_subcommand audit; and __fish_seen_subcommand_from export" -l state -d 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]' -r
complete -c privops -n "__fish_privops_using_subcommand audit; and __fish_seen_subcommand_from export" -l format -d 'Output format' -r -f -a "human\t'Tables and sentences for people'
json\t'JSON for scripts'
md\t'Markdown (reports and maps)'
csv\t'CSV (reports and maps)'
html\t'One self-contained HTML page (reports)'"
complete -c privops -n "__fish_privops_using_subcommand audit; and __fish_seen_subcommand_from export" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c privops -n "__fish_privops_using_subcommand audit; and __fish_seen_subcommand_from export" -l actor -d 'Who is acting, as recorded in the audit trail [default: $USER]' -r
complete -c privops -n "__fish_privops_using_subcommand audit; and __fish_seen_subcommand_from export" -l force -d 'Replace the file if it exists'
complete -c privops -n "__fish_privops_using_subcommand audit; and __fish_seen_subcommand_from export" -s q -l quiet -d 'Print no status messages (data is still printed)'
complete -c privops -n "__fish_privops_using_subcommand audit; and __fish_seen_subcommand_from export" -s v -l verbose -d 'Print more detail about what is done'
complete -c privops -n "__fish_privops_using_subcommand audit; and __fish_seen_subcommand_from export" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c privops -n "__fish_privops_using_subcommand audit; and __fish_seen_subcommand_from export" -s V -l version -d 'Print version'
complete -c privops -n "__fish_privops_using_subcommand audit; and __fish_seen_subcommand_from help" -f -a "log" -d 'Show audit entries, oldest first'
complete -c privops -n "__fish_privops_using_subcommand audit; and __fish_seen_subcommand_from help" -f -a "verify" -d 'Recompute the hash chain and check every signed checkpoint; exit 3 when broken'
complete -c privops -n "__fish_privops_using_subcommand audit; and __fish_seen_subcommand_from help" -f -a "find" -d 'The entries about a subject, found by their keyed reference (works after erasure)'
complete -c privops -n "__fish_privops_using_subcommand audit; and __fish_seen_subcommand_from help" -f -a "report" -d 'The accountability report for a period (md, html, csv or json)'
complete -c privops -n "__fish_privops_using_subcommand audit; and __fish_seen_subcommand_from help" -f -a "checkpoint" -d 'Sign the chain\'s size and head hash with an Ed25519 key'
complete -c privops -n "__fish_privops_using_subcommand audit; and __fish_seen_subcommand_from help" -f -a "export" -d 'A zip archive for auditors: entries, report, checkpoints, public key, VERIFY.md'
complete -c privops -n "__fish_privops_using_subcommand audit; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c privops -n "__fish_privops_using_subcommand archive; and not __fish_seen_subcommand_from verify help" -l policy -d 'The policy folder' -r -F
complete -c privops -n "__fish_privops_using_subcommand archive; and not __fish_seen_subcommand_from verify help" -l state -d 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]' -r
complete -c privops -n "__fish_privops_using_subcommand archive; and not __fish_seen_subcommand_from verify help" -l format -d 'Output format' -r -f -a "human\t'Tables and sentences for people'
json\t'JSON for scripts'
md\t'Markdown (reports and maps)'
csv\t'CSV (reports and maps)'
html\t'One self-contained HTML page (reports)'"
complete -c privops -n "__fish_privops_using_subcommand archive; and not __fish_seen_subcommand_from verify help" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c privops -n "__fish_privops_using_subcommand archive; and not __fish_seen_subcommand_from verify help" -l actor -d 'Who is acting, as recorded in the audit trail [default: $USER]' -r
complete -c privops -n "__fish_privops_using_subcommand archive; and not __fish_seen_subcommand_from verify help" -s q -l quiet -d 'Print no status messages (data is still printed)'
complete -c privops -n "__fish_privops_using_subcommand archive; and not __fish_seen_subcommand_from verify help" -s v -l verbose -d 'Print more detail about what is done'
complete -c privops -n "__fish_privops_using_subcommand archive; and not __fish_seen_subcommand_from verify help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c privops -n "__fish_privops_using_subcommand archive; and not __fish_seen_subcommand_from verify help" -s V -l version -d 'Print version'
complete -c privops -n "__fish_privops_using_subcommand archive; and not __fish_seen_subcommand_from verify help" -f -a "verify" -d 'Check an archive, certificate or receipt offline; exit 3 on any difference'
complete -c privops -n "__fish_privops_using_subcommand archive; and not __fish_seen_subcommand_from verify help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c privops -n "__fish_privops_using_subcommand archive; and __fish_seen_subcommand_from verify" -l identity -d 'An age identity file, for archives encrypted to recipients' -r -F
complete -c privops -n "__fish_privops_using_subcommand archive; and __fish_seen_subcommand_from verify" -l passphrase-env -d 'The environment variable holding the passphrase, for passphrase-encrypted archives' -r
complete -c privops -n "__fish_privops_using_subcommand archive; and __fish_seen_subcommand_from verify" -l trusted-key -d 'Also check authenticity: the controller\'s Ed25519 public key (PEM), obtained apart from the archive; an audit archive must carry checkpoints signed by it. Without it, only integrity is checked: no key inside the archive is trusted' -r -F
complete -c privops -n "__fish_privops_using_subcommand archive; and __fish_seen_subcommand_from verify" -l policy -d 'The policy folder' -r -F
complete -c privops -n "__fish_privops_using_subcommand archive; and __fish_seen_subcommand_from verify" -l state -d 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]' -r
complete -c privops -n "__fish_privops_using_subcommand archive; and __fish_seen_subcommand_from verify" -l format -d 'Output format' -r -f -a "human\t'Tables and sentences for people'
json\t'JSON for scripts'
md\t'Markdown (reports and maps)'
csv\t'CSV (reports and maps)'
html\t'One self-contained HTML page (reports)'"
complete -c privops -n "__fish_privops_using_subcommand archive; and __fish_seen_subcommand_from verify" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c privops -n "__fish_privops_using_subcommand archive; and __fish_seen_subcommand_from verify" -l actor -d 'Who is acting, as recorded in the audit trail [default: $USER]' -r
complete -c privops -n "__fish_privops_using_subcommand archive; and __fish_seen_subcommand_from verify" -s q -l quiet -d 'Print no status messages (data is still printed)'
complete -c privops -n "__fish_privops_using_subcommand archive; and __fish_seen_subcommand_from verify" -s v -l verbose -d 'Print more detail about what is done'
complete -c privops -n "__fish_privops_using_subcommand archive; and __fish_seen_subcommand_from verify" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c privops -n "__fish_privops_using_subcommand archive; and __fish_seen_subcommand_from verify" -s V -l version -d 'Print version'
complete -c privops -n "__fish_privops_using_subcommand archive; and __fish_seen_subcommand_from help" -f -a "verify" -d 'Check an archive, certificate or receipt offline; exit 3 on any difference'
complete -c privops -n "__fish_privops_using_subcommand archive; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c privops -n "__fish_privops_using_subcommand completions" -l policy -d 'The policy folder' -r -F
complete -c privops -n "__fish_privops_using_subcommand completions" -l state -d 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]' -r
complete -c privops -n "__fish_privops_using_subcommand completions" -l format -d 'Output format' -r -f -a "human\t'Tables and sentences for people'
json\t'JSON for scripts'
md\t'Markdown (reports and maps)'
csv\t'CSV (reports and maps)'
html\t'One self-contained HTML page (reports)'"
complete -c privops -n "__fish_privops_using_subcommand completions" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c privops -n "__fish_privops_using_subcommand completions" -l actor -d 'Who is acting, as recorded in the audit trail [default: $USER]' -r
complete -c privops -n "__fish_privops_using_subcommand completions" -s q -l quiet -d 'Print no status messages (data is still printed)'
complete -c privops -n "__fish_privops_using_subcommand completions" -s v -l verbose -d 'Print more detail about what is done'
complete -c privops -n "__fish_privops_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c privops -n "__fish_privops_using_subcommand completions" -s V -l version -d 'Print version'
complete -c privops -n "__fish_privops_using_subcommand man" -l out -d 'The folder to write into' -r -F
complete -c privops -n "__fish_privops_using_subcommand man" -l policy -d 'The policy folder' -r -F
complete -c privops -n "__fish_privops_using_subcommand man" -l state -d 'The state store: a SQLite path or sqlite:// URL, or a postgres:// URL [default: .privops/state.db beside the policy folder]' -r
complete -c privops -n "__fish_privops_using_subcommand man" -l format -d 'Output format' -r -f -a "human\t'Tables and sentences for people'
json\t'JSON for scripts'
md\t'Markdown (reports and maps)'
csv\t'CSV (reports and maps)'
html\t'One self-contained HTML page (reports)'"
complete -c privops -n "__fish_privops_using_subcommand man" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c privops -n "__fish_privops_using_subcommand man" -l actor -d 'Who is acting, as recorded in the audit trail [default: $USER]' -r
complete -c privops -n "__fish_privops_using_subcommand man" -s q -l quiet -d 'Print no status messages (data is still printed)'
complete -c privops -n "__fish_privops_using_subcommand man" -s v -l verbose -d 'Print more detail about what is done'
complete -c privops -n "__fish_privops_using_subcommand man" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c privops -n "__fish_privops_using_subcommand man" -s V -l version -d 'Print version'
complete -c privops -n "__fish_privops_using_subcommand help; and not __fish_seen_subcommand_from demo init policy scan purpose consent object restrict processing notice request access rectify erase offboard retention audit archive completions man help" -f -a "demo" -d 'Set up a demo workspace: example policies, synthetic databases, a state store'
complete -c privops -n "__fish_privops_using_subcommand help; and not __fish_seen_subcommand_from demo init policy scan purpose consent object restrict processing notice request access rectify erase offboard retention audit archive completions man help" -f -a "init" -d 'Create the state store and subject key beside an existing policy folder'
complete -c privops -n "__fish_privops_using_subcommand help; and not __fish_seen_subcommand_from demo init policy scan purpose consent object restrict processing notice request access rectify erase offboard retention audit archive completions man help" -f -a "policy" -d 'Check the policy (and its drift from the live schemas); write the Art. 30 record'
complete -c privops -n "__fish_privops_using_subcommand help; and not __fish_seen_subcommand_from demo init policy scan purpose consent object restrict processing notice request access rectify erase offboard retention audit archive completions man help" -f -a "scan" -d 'Sample live data: identifiers where the policy says there are none'
complete -c privops -n "__fish_privops_using_subcommand help; and not __fish_seen_subcommand_from demo init policy scan purpose consent object restrict processing notice request access rectify erase offboard retention audit archive completions man help" -f -a "purpose" -d 'The purposes of processing and the versions of their consent texts'
complete -c privops -n "__fish_privops_using_subcommand help; and not __fish_seen_subcommand_from demo init policy scan purpose consent object restrict processing notice request access rectify erase offboard retention audit archive completions man help" -f -a "consent" -d 'Record, withdraw, check, export and import consent per purpose'
complete -c privops -n "__fish_privops_using_subcommand help; and not __fish_seen_subcommand_from demo init policy scan purpose consent object restrict processing notice request access rectify erase offboard retention audit archive completions man help" -f -a "object" -d 'Record an objection to a purpose (Art. 21), or lift it'
complete -c privops -n "__fish_privops_using_subcommand help; and not __fish_seen_subcommand_from demo init policy scan purpose consent object restrict processing notice request access rectify erase offboard retention audit archive completions man help" -f -a "restrict" -d 'Restrict all processing of a subject\'s data (Art. 18), or lift it'
complete -c privops -n "__fish_privops_using_subcommand help; and not __fish_seen_subcommand_from demo init policy scan purpose consent object restrict processing notice request access rectify erase offboard retention audit archive completions man help" -f -a "processing" -d 'May this subject\'s data be processed for this purpose? (exit 0 / 3)'
complete -c privops -n "__fish_privops_using_subcommand help; and not __fish_seen_subcommand_from demo init policy scan purpose consent object restrict processing notice request access rectify erase offboard retention audit archive completions man help" -f -a "notice" -d 'Versions of the privacy notice and who acknowledged them'
complete -c privops -n "__fish_privops_using_subcommand help; and not __fish_seen_subcommand_from demo init policy scan purpose consent object restrict processing notice request access rectify erase offboard retention audit archive completions man help" -f -a "request" -d 'Data-subject requests and their deadlines; confirm manual tasks'
complete -c privops -n "__fish_privops_using_subcommand help; and not __fish_seen_subcommand_from demo init policy scan purpose consent object restrict processing notice request access rectify erase offboard retention audit archive completions man help" -f -a "access" -d 'Export everything held about a subject into an archive'
complete -c privops -n "__fish_privops_using_subcommand help; and not __fish_seen_subcommand_from demo init policy scan purpose consent object restrict processing notice request access rectify erase offboard retention audit archive completions man help" -f -a "rectify" -d 'Correct a subject\'s data across sources and providers (Art. 16, 19)'
complete -c privops -n "__fish_privops_using_subcommand help; and not __fish_seen_subcommand_from demo init policy scan purpose consent object restrict processing notice request access rectify erase offboard retention audit archive completions man help" -f -a "erase" -d 'Erase subjects across every source and provider: plan, confirm, execute, verify'
complete -c privops -n "__fish_privops_using_subcommand help; and not __fish_seen_subcommand_from demo init policy scan purpose consent object restrict processing notice request access rectify erase offboard retention audit archive completions man help" -f -a "offboard" -d 'Offboard a client account: export, roll up, delete everywhere, certify'
complete -c privops -n "__fish_privops_using_subcommand help; and not __fish_seen_subcommand_from demo init policy scan purpose consent object restrict processing notice request access rectify erase offboard retention audit archive completions man help" -f -a "retention" -d 'Retention: what is due and why (plan), and the sweep that deletes or rolls it up'
complete -c privops -n "__fish_privops_using_subcommand help; and not __fish_seen_subcommand_from demo init policy scan purpose consent object restrict processing notice request access rectify erase offboard retention audit archive completions man help" -f -a "audit" -d 'The hash-chained audit trail: log, verify, find, report, checkpoint, export'
complete -c privops -n "__fish_privops_using_subcommand help; and not __fish_seen_subcommand_from demo init policy scan purpose consent object restrict processing notice request access rectify erase offboard retention audit archive completions man help" -f -a "archive" -d 'Verify an archive, a deletion certificate or an erasure receipt offline'
complete -c privops -n "__fish_privops_using_subcommand help; and not __fish_seen_subcommand_from demo init policy scan purpose consent object restrict processing notice request access rectify erase offboard retention audit archive completions man help" -f -a "completions" -d 'Print a shell completion script'
complete -c privops -n "__fish_privops_using_subcommand help; and not __fish_seen_subcommand_from demo init policy scan purpose consent object restrict processing notice request access rectify erase offboard retention audit archive completions man help" -f -a "man" -d 'Write man pages for privops and each of its commands'
complete -c privops -n "__fish_privops_using_subcommand help; and not __fish_seen_subcommand_from demo init policy scan purpose consent object restrict processing notice request access rectify erase offboard retention audit archive completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c privops -n "__fish_privops_using_subcommand help; and __fish_seen_subcommand_from policy" -f -a "check" -d 'Validate the policy folder; with --live, compare it with the real schemas'
complete -c privops -n "__fish_privops_using_subcommand help; and __fish_seen_subcommand_from policy" -f -a "map" -d 'Write the Art. 30 record of processing and the data map (md, csv or json)'
complete -c privops -n "__fish_privops_using_subcommand help; and __fish_seen_subcommand_from policy" -f -a "init" -d 'Draft a policy folder from a live database, every guess marked for review'
complete -c privops -n "__fish_privops_using_subcommand help; and __fish_seen_subcommand_from policy" -f -a "import" -d 'Convert a Fides dataset description into a policy folder'
complete -c privops -n "__fish_privops_using_subcommand help; and __fish_seen_subcommand_from purpose" -f -a "list" -d 'List the purposes of the policy with their current consent version'
complete -c privops -n "__fish_privops_using_subcommand help; and __fish_seen_subcommand_from purpose" -f -a "show" -d 'Show one purpose, its consent text and its version history'
complete -c privops -n "__fish_privops_using_subcommand help; and __fish_seen_subcommand_from consent" -f -a "grant" -d 'Record that a subject gave consent to a purpose'
complete -c privops -n "__fish_privops_using_subcommand help; and __fish_seen_subcommand_from consent" -f -a "withdraw" -d 'Record that a subject withdrew consent to a purpose'
complete -c privops -n "__fish_privops_using_subcommand help; and __fish_seen_subcommand_from consent" -f -a "check" -d 'Does consent stand for the current version? Exit 0 yes, 3 no'
complete -c privops -n "__fish_privops_using_subcommand help; and __fish_seen_subcommand_from consent" -f -a "history" -d 'Every consent event of a subject'
complete -c privops -n "__fish_privops_using_subcommand help; and __fish_seen_subcommand_from consent" -f -a "export" -d 'Write the consent state at a moment in time to CSV'
complete -c privops -n "__fish_privops_using_subcommand help; and __fish_seen_subcommand_from consent" -f -a "import" -d 'Append events from a CSV file, all or nothing; re-importing adds nothing'
complete -c privops -n "__fish_privops_using_subcommand help; and __fish_seen_subcommand_from processing" -f -a "check" -d 'May this subject\'s data be processed for this purpose? Exit 0 yes, 3 no'
complete -c privops -n "__fish_privops_using_subcommand help; and __fish_seen_subcommand_from notice" -f -a "publish" -d 'Record a version of the privacy notice (the SHA-256 of its text)'
complete -c privops -n "__fish_privops_using_subcommand help; and __fish_seen_subcommand_from notice" -f -a "ack" -d 'Record that a subject acknowledged the notice in force'
complete -c privops -n "__fish_privops_using_subcommand help; and __fish_seen_subcommand_from notice" -f -a "pending" -d 'Who has not acknowledged the notice in force (text, JSON, CSV)'
complete -c privops -n "__fish_privops_using_subcommand help; and __fish_seen_subcommand_from notice" -f -a "list" -d 'The versions published'
complete -c privops -n "__fish_privops_using_subcommand help; and __fish_seen_subcommand_from request" -f -a "open" -d 'Record a request received from a data subject; prints its id and due date'
complete -c privops -n "__fish_privops_using_subcommand help; and __fish_seen_subcommand_from request" -f -a "list" -d 'List requests; --overdue exits 3 when any is overdue'
complete -c privops -n "__fish_privops_using_subcommand help; and __fish_seen_subcommand_from request" -f -a "show" -d 'Show a request with its tasks'
complete -c privops -n "__fish_privops_using_subcommand help; and __fish_seen_subcommand_from request" -f -a "extend" -d 'Extend a request\'s deadline once by up to two months, with a reason'
complete -c privops -n "__fish_privops_using_subcommand help; and __fish_seen_subcommand_from request" -f -a "close" -d 'Close a request whose tasks are all done'
complete -c privops -n "__fish_privops_using_subcommand help; and __fish_seen_subcommand_from request" -f -a "confirm-manual" -d 'Confirm that a manual task (a provider without an API) was done'
complete -c privops -n "__fish_privops_using_subcommand help; and __fish_seen_subcommand_from retention" -f -a "plan" -d 'Per table: the rule, the cutoff, the rows due and the rows holds keep'
complete -c privops -n "__fish_privops_using_subcommand help; and __fish_seen_subcommand_from retention" -f -a "sweep" -d 'Delete, anonymise or roll up the rows past their period, in short chunks'
complete -c privops -n "__fish_privops_using_subcommand help; and __fish_seen_subcommand_from audit" -f -a "log" -d 'Show audit entries, oldest first'
complete -c privops -n "__fish_privops_using_subcommand help; and __fish_seen_subcommand_from audit" -f -a "verify" -d 'Recompute the hash chain and check every signed checkpoint; exit 3 when broken'
complete -c privops -n "__fish_privops_using_subcommand help; and __fish_seen_subcommand_from audit" -f -a "find" -d 'The entries about a subject, found by their keyed reference (works after erasure)'
complete -c privops -n "__fish_privops_using_subcommand help; and __fish_seen_subcommand_from audit" -f -a "report" -d 'The accountability report for a period (md, html, csv or json)'
complete -c privops -n "__fish_privops_using_subcommand help; and __fish_seen_subcommand_from audit" -f -a "checkpoint" -d 'Sign the chain\'s size and head hash with an Ed25519 key'
complete -c privops -n "__fish_privops_using_subcommand help; and __fish_seen_subcommand_from audit" -f -a "export" -d 'A zip archive for auditors: entries, report, checkpoints, public key, VERIFY.md'
complete -c privops -n "__fish_privops_using_subcommand help; and __fish_seen_subcommand_from archive" -f -a "verify" -d 'Check an archive, certificate or receipt offline; exit 3 on any difference'
