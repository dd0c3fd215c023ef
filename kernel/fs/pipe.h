#pragma once
// pipe(): a 4 KiB ring buffer with a reading and a writing end. Readers
// see end of file once every writer has closed; writers get SIGPIPE and
// -EPIPE once every reader has.
class File;

namespace pipes {

// Two new open files (read end, write end); false when out of memory.
bool create(File** read_end, File** write_end);

} // namespace pipes
