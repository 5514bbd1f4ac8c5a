#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| privops::fuzzing::consent_csv(data));
