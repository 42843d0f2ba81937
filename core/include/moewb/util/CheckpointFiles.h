#pragma once
// A checkpoint is several files that only make sense together: weights, optimizer state and the
// state file that says which epoch or step they belong to. Each file is written atomically, but
// a run killed between two of them used to leave new weights beside an old state, and the
// resumed run then silently trained that epoch again on top of them. So a checkpoint is written
// as a set: every file first as NAME.next, the state file's NAME.next last (its presence means
// the set is complete), then all renamed into place. recoverCheckpoint() at the next start
// finishes a complete set's renames and removes the pieces of an incomplete one.

#include <string>
#include <vector>

namespace moewb {

// Where a file of the checkpoint being written goes until commitCheckpoint(): "PATH.next".
std::string pendingCheckpointPath(const std::string& path);

// Renames every DIR/FILE.next of `files` that exists over DIR/FILE, then DIR/STATE.next over
// DIR/STATE, and syncs the folder. Call it once all the .next files, the state's last, are
// written. Throws std::runtime_error naming the file that cannot be renamed.
void commitCheckpoint(const std::string& dir, const std::string& stateFile,
                      const std::vector<std::string>& files);

// Brings DIR back to one whole checkpoint before it is read or written: when DIR/STATE.next
// exists the set was complete, and the renames are finished (as commitCheckpoint); otherwise
// every DIR/FILE.next of `files` is removed, leaving the previous checkpoint as it was. Returns
// true when it finished a commit.
bool recoverCheckpoint(const std::string& dir, const std::string& stateFile,
                       const std::vector<std::string>& files);

}  // namespace moewb
