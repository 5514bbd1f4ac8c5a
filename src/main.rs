// Erasure plans, exports and batch checks hold hundreds of thousands of small keys and
// values; the system allocator spent about a third of an erasure's own CPU time
// allocating and freeing them. Transparent huge pages stay off (`no_thp`): with them
// an access export's peak memory grew by a third.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    privops::cli::main()
}
