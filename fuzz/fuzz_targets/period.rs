#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| privops::fuzzing::period(data));
