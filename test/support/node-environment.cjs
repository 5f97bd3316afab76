// Jest's node environment, with node:sqlite loaded once in the worker process itself. Node 22
// prints "SQLite is an experimental feature" the first time a process loads it; azure-standin/sqlite
// drops that one warning, but inside a test file `process` is Jest's copy, so its filter cannot
// reach the worker's real process. Loaded here (outside the sandbox), the warning is dropped once
// for the worker and later loads print nothing.
require('azure-standin/sqlite');
module.exports = require('jest-environment-node');
