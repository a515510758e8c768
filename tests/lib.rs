//! End-to-end tests for the dmemfs workspace live in `e2e/` (one test binary, many modules).
