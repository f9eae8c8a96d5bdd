#!/usr/bin/env node
// A twin of cleanroom_onedrive_extension.js with one deliberate bug: a failed upload is taken as
// final (acknowledged, never retried, never tried again), as if every failure were permanent.
// A burst of server errors or a dropped connection then loses photos: RTY-01 and E2E-01 FAIL.
'use strict';
process.env.CLEANROOM_MUTANT = 'gives-up-on-failure';
require('./cleanroom_onedrive_extension.js');
