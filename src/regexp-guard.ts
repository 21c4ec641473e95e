// Operators' patterns (IGNORE, EXTRA_MASKS, `--mask`) run against every line. One with nested
// quantifiers, `(a+)+$`, backtracks exponentially on a line of 40 a's: its host stalled with no
// sign (found by a helper's adversarial pass). V8 can switch a match that backtracks too much to
// its linear-time engine; the flag holds for every thread of the process, so it is set here,
// before any module that compiles a pattern is loaded. Patterns with backreferences or lookaround
// cannot switch (the linear engine has neither): the README says so.
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');
