#include "model_check/checkpoint.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <utility>

namespace crosscheck::mc {

namespace {

constexpr uint64_t kFnvOffset = 0xcbf29ce484222325ULL;
constexpr uint64_t kFnvPrime = 0x100000001b3ULL;
constexpr size_t kBufferBytes = size_t{1} << 20;

// FNV-1a over 8-byte words, then the tail bytes: enough to catch a
// truncated or damaged file, fast enough for gigabytes.
uint64_t checksum_of(uint64_t hash, const char* data, size_t size) {
  size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    uint64_t word;
    std::memcpy(&word, data + i, 8);
    hash = (hash ^ word) * kFnvPrime;
  }
  for (; i < size; ++i) hash = (hash ^ static_cast<unsigned char>(data[i])) * kFnvPrime;
  return hash;
}

std::string message_of(CheckpointError::Kind kind, const std::string& path,
                       const std::string& detail) {
  switch (kind) {
    case CheckpointError::Kind::kCannotWrite:
      return "cannot write the checkpoint's side file '" + checkpoint_side_file(path) +
             "': " + detail;
    case CheckpointError::Kind::kCannotRename:
      return "cannot rename the checkpoint's side file '" + checkpoint_side_file(path) + "' to '" +
             path + "': " + detail;
    case CheckpointError::Kind::kCannotRead: return "cannot read the checkpoint '" + path + "'";
    case CheckpointError::Kind::kDamaged:
      return "the checkpoint '" + path + "' cannot be resumed: " + detail;
  }
  return "checkpoint '" + path + "': " + detail;
}

}  // namespace

CheckpointError::CheckpointError(Kind kind, std::string path, std::string detail)
    : std::runtime_error(message_of(kind, path, detail)),
      kind_(kind),
      path_(std::move(path)),
      detail_(std::move(detail)) {}

std::string checkpoint_side_file(const std::string& path) { return path + ".partial"; }

uint64_t checkpoint_checksum(const char* data, size_t size) {
  // The writer hashes whole buffers, then the rest: the same words.
  uint64_t hash = kFnvOffset;
  for (size_t at = 0; at < size; at += kBufferBytes)
    hash = checksum_of(hash, data + at, std::min(kBufferBytes, size - at));
  return hash;
}

void check_checkpoint_writable(const std::string& path) {
  const std::string partial = checkpoint_side_file(path);
  std::FILE* file = std::fopen(partial.c_str(), "wb");
  if (file == nullptr) {
    throw CheckpointError(CheckpointError::Kind::kCannotWrite, path, std::strerror(errno));
  }
  std::fclose(file);
  std::remove(partial.c_str());
}

CheckpointWriter::CheckpointWriter(std::string path)
    : path_(std::move(path)), partial_(checkpoint_side_file(path_)), checksum_(kFnvOffset) {
  file_ = std::fopen(partial_.c_str(), "wb");
  if (file_ == nullptr) {
    throw CheckpointError(CheckpointError::Kind::kCannotWrite, path_, std::strerror(errno));
  }
  buffer_.reserve(kBufferBytes);
  bytes(kCheckpointMagic, sizeof kCheckpointMagic - 1);
  u64(kCheckpointVersion);
}

CheckpointWriter::~CheckpointWriter() {
  if (file_ != nullptr) {
    std::fclose(file_);
    std::remove(partial_.c_str());
  }
}

void CheckpointWriter::text(const std::string& value) {
  u64(value.size());
  bytes(value.data(), value.size());
}

void CheckpointWriter::bytes(const void* data, size_t size) {
  const char* from = static_cast<const char*>(data);
  while (size > 0) {
    const size_t take = std::min(size, kBufferBytes - buffer_.size());
    buffer_.insert(buffer_.end(), from, from + take);
    from += take;
    size -= take;
    if (buffer_.size() == kBufferBytes) flush();
  }
}

void CheckpointWriter::flush() {
  // Whole words are hashed; the buffer is flushed at multiples of 8 bytes
  // except at the end, so the checksum does not depend on the buffering.
  checksum_ = checksum_of(checksum_, buffer_.data(), buffer_.size());
  if (!buffer_.empty() && std::fwrite(buffer_.data(), 1, buffer_.size(), file_) != buffer_.size()) {
    throw CheckpointError(CheckpointError::Kind::kCannotWrite, path_, std::strerror(errno));
  }
  buffer_.clear();
}

void CheckpointWriter::commit() {
  flush();
  const uint64_t checksum = checksum_;
  if (std::fwrite(&checksum, 1, sizeof checksum, file_) != sizeof checksum ||
      std::fflush(file_) != 0) {
    throw CheckpointError(CheckpointError::Kind::kCannotWrite, path_, std::strerror(errno));
  }
  std::fclose(file_);
  file_ = nullptr;
  if (std::rename(partial_.c_str(), path_.c_str()) != 0) {
    throw CheckpointError(CheckpointError::Kind::kCannotRename, path_, std::strerror(errno));
  }
}

CheckpointReader::CheckpointReader(const std::string& path) : path_(path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw CheckpointError(CheckpointError::Kind::kCannotRead, path, "");
  data_.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  const size_t magic = sizeof kCheckpointMagic - 1;
  if (data_.size() < magic || std::memcmp(data_.data(), kCheckpointMagic, magic) != 0) {
    fail("not a crosscheck checkpoint");
  }
  if (data_.size() < magic + 2 * sizeof(uint64_t)) fail("truncated");
  end_ = data_.size() - sizeof(uint64_t);
  uint64_t stored;
  std::memcpy(&stored, data_.data() + end_, sizeof stored);
  if (checkpoint_checksum(data_.data(), end_) != stored)
    fail("damaged or truncated (its checksum does not match)");
  at_ = magic;
  const uint64_t version = u64();
  if (version != kCheckpointVersion) {
    fail("format version " + std::to_string(version) + ", this crosscheck reads version " +
         std::to_string(kCheckpointVersion));
  }
}

void CheckpointReader::bytes(void* data, size_t size) {
  if (size > end_ - at_) fail("truncated");
  std::memcpy(data, data_.data() + at_, size);
  at_ += size;
}

uint64_t CheckpointReader::u64() {
  uint64_t value;
  bytes(&value, sizeof value);
  return value;
}

double CheckpointReader::f64() {
  double value;
  bytes(&value, sizeof value);
  return value;
}

std::string CheckpointReader::text() {
  std::string value(count(1), '\0');
  bytes(value.data(), value.size());
  return value;
}

uint64_t CheckpointReader::count(size_t item_bytes) {
  const uint64_t n = u64();
  if (item_bytes > 0 && n > (end_ - at_) / item_bytes) fail("a count larger than the file");
  return n;
}

void CheckpointReader::expect_end() const {
  if (at_ != end_) fail("data past the end of the checkpoint");
}

void CheckpointReader::fail(const std::string& problem) const {
  throw CheckpointError(CheckpointError::Kind::kDamaged, path_, problem);
}

}  // namespace crosscheck::mc
