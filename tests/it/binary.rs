//! How the privops binary is linked on Linux (`build.rs`): the libraries the loader opens
//! at every start, read from the executable's own dynamic section.

/// The `DT_NEEDED` names of a 64-bit little-endian ELF executable.
#[cfg(all(target_os = "linux", target_env = "gnu", target_pointer_width = "64"))]
fn needed(elf: &[u8]) -> Vec<String> {
    let u16_at = |at: usize| u16::from_le_bytes(elf[at..at + 2].try_into().unwrap()) as usize;
    let u32_at = |at: usize| u32::from_le_bytes(elf[at..at + 4].try_into().unwrap()) as usize;
    let u64_at = |at: usize| u64::from_le_bytes(elf[at..at + 8].try_into().unwrap()) as usize;
    assert_eq!(&elf[..4], b"\x7fELF", "not an ELF file");
    assert_eq!(
        (elf[4], elf[5]),
        (2, 1),
        "not a 64-bit little-endian ELF file"
    );
    let (phoff, phentsize, phnum) = (u64_at(0x20), u16_at(0x36), u16_at(0x38));
    // Program headers: (type, offset, virtual address, size in file).
    let headers: Vec<(usize, usize, usize, usize)> = (0..phnum)
        .map(|i| phoff + i * phentsize)
        .map(|h| (u32_at(h), u64_at(h + 8), u64_at(h + 16), u64_at(h + 32)))
        .collect();
    const PT_LOAD: usize = 1;
    const PT_DYNAMIC: usize = 2;
    let file_offset = |address: usize| {
        headers
            .iter()
            .find(|&&(kind, _, vaddr, size)| {
                kind == PT_LOAD && (vaddr..vaddr + size).contains(&address)
            })
            .map(|&(_, offset, vaddr, _)| offset + (address - vaddr))
            .expect("a dynamic address inside a loaded segment")
    };
    let &(_, dynamic, _, size) = headers
        .iter()
        .find(|h| h.0 == PT_DYNAMIC)
        .expect("a dynamically linked executable");
    let entries: Vec<(usize, usize)> = (dynamic..dynamic + size)
        .step_by(16)
        .map(|at| (u64_at(at), u64_at(at + 8)))
        .take_while(|&(tag, _)| tag != 0)
        .collect();
    const DT_NEEDED: usize = 1;
    const DT_STRTAB: usize = 5;
    let strtab = entries
        .iter()
        .find(|e| e.0 == DT_STRTAB)
        .map(|e| file_offset(e.1))
        .expect("a dynamic string table");
    entries
        .iter()
        .filter(|e| e.0 == DT_NEEDED)
        .map(|&(_, name)| {
            let start = strtab + name;
            let end = start + elf[start..].iter().position(|&b| b == 0).unwrap();
            String::from_utf8_lossy(&elf[start..end]).into_owned()
        })
        .collect()
}

/// GCC's unwinder is linked into the binary, not loaded from `libgcc_s.so.1` at every
/// start; the C library is still a shared one (its name service and DNS modules load
/// at run time).
#[cfg(all(target_os = "linux", target_env = "gnu", target_pointer_width = "64"))]
#[test]
fn the_binary_loads_no_gcc_runtime_library() {
    if std::env::var_os("PRIVOPS_BUILD_SHARED_LIBGCC").is_some() {
        return;
    }
    let elf = std::fs::read(env!("CARGO_BIN_EXE_privops")).unwrap();
    let needed = needed(&elf);
    assert!(
        needed.iter().any(|n| n.starts_with("libc.so")),
        "the C library is linked dynamically: {needed:?}"
    );
    assert!(
        !needed.iter().any(|n| n.starts_with("libgcc_s")),
        "libgcc_s is loaded at start: {needed:?}"
    );
}

/// The test binary is linked the same way, and a panic still unwinds through the
/// linked-in unwinder: caught on this thread, and across a thread's join.
#[test]
fn panics_unwind_without_the_shared_gcc_runtime() {
    let caught = std::panic::catch_unwind(|| {
        let empty: Vec<u8> = Vec::new();
        std::hint::black_box(&empty)[3]
    });
    assert!(caught.is_err());
    let joined = std::thread::spawn(|| -> u8 { panic!("unwinds across the join") }).join();
    assert!(joined.is_err());
}
