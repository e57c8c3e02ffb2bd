// The file a breadth-first search saves itself to (check --checkpoint) and
// continues from (check --resume): a header naming the run's
// configuration, the counts, the parent links and the visited set's
// fingerprints, and a checksum. States are not saved: resuming rebuilds the
// queue by re-executing the parent links level by level, as traces are
// rebuilt, which costs generating the successors of each state that had
// children once more.
#pragma once

#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

namespace crosscheck::mc {

// A checkpoint that cannot be written, or read back: missing, truncated,
// corrupt, or from another configuration. Its message names the file; a
// command line words it in its own terms (cli/search_errors.h).
class CheckpointError : public std::runtime_error {
 public:
  enum class Kind {
    kCannotWrite,   // the side file, path + ".partial", cannot be created or written
    kCannotRename,  // the side file cannot be renamed over the checkpoint
    kCannotRead,    // the checkpoint cannot be opened
    kDamaged,       // not a checkpoint, damaged, or saved by another run or build
  };

  // `path` is the checkpoint's, as given; `detail` says what failed
  // (the system's reason, or what is wrong with the file).
  CheckpointError(Kind kind, std::string path, std::string detail);
  Kind kind() const { return kind_; }
  const std::string& path() const { return path_; }
  const std::string& detail() const { return detail_; }

 private:
  Kind kind_;
  std::string path_;
  std::string detail_;
};

// The side file a checkpoint is written to before it is renamed over the
// checkpoint at `path`.
std::string checkpoint_side_file(const std::string& path);

// Throws CheckpointError now, not at the first checkpoint minutes later,
// when FILE's side file cannot be created.
void check_checkpoint_writable(const std::string& path);

// Writes to FILE.partial and renames it over FILE at commit(), so that an
// interrupted write leaves the previous checkpoint whole.
class CheckpointWriter {
 public:
  explicit CheckpointWriter(std::string path);
  CheckpointWriter(const CheckpointWriter&) = delete;
  CheckpointWriter& operator=(const CheckpointWriter&) = delete;
  ~CheckpointWriter();

  void u64(uint64_t value) { bytes(&value, sizeof value); }
  void f64(double value) { bytes(&value, sizeof value); }
  void text(const std::string& value);
  void bytes(const void* data, size_t size);
  void commit();  // the checksum, then the rename

 private:
  std::string path_;
  std::string partial_;
  std::FILE* file_ = nullptr;
  uint64_t checksum_;
  std::vector<char> buffer_;
  void flush();
};

class CheckpointReader {
 public:
  // Reads the whole file and checks its checksum.
  explicit CheckpointReader(const std::string& path);

  uint64_t u64();
  double f64();
  std::string text();
  void bytes(void* data, size_t size);
  // A count of items of `item_bytes` each that must fit in what is left.
  uint64_t count(size_t item_bytes);
  void expect_end() const;
  [[noreturn]] void fail(const std::string& problem) const;

 private:
  std::string path_;
  std::vector<char> data_;
  size_t at_ = 0;
  size_t end_ = 0;  // before the checksum
};

// The checksum a checkpoint ends with, of the `size` bytes before it.
uint64_t checkpoint_checksum(const char* data, size_t size);

// The magic first line; the version after it changes with the format.
inline constexpr char kCheckpointMagic[] = "crosscheck checkpoint\n";
inline constexpr uint64_t kCheckpointVersion = 1;

}  // namespace crosscheck::mc
