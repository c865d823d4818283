// The preprocessing cache's promise, on real cells: each image processed once; a changed file or
// setting never served a stale entry; a damaged pack recomputed, never trusted; entries of
// sequential runs gathered in one pack, of concurrent ones in packs of their own, and each
// process finding what the others stored.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

#include <opencv2/core.hpp>

#include "common/error.h"
#include "common/test_paths.h"
#include "data/cache_pack.h"
#include "data/image_decode.h"
#include "data/preprocess.h"
#include "data/preprocess_cache.h"

namespace leuko {
namespace {
namespace fs = std::filesystem;

const std::string kFold0 = "cnmc-mini/C-NMC_Leukemia/training_data/fold_0/";
const std::vector<std::string> kCells = {
    kFold0 + "all/UID_1_3_1_all.bmp",  kFold0 + "all/UID_1_8_1_all.bmp",  kFold0 + "all/UID_1_9_1_all.bmp",
    kFold0 + "hem/UID_H11_4_1_hem.bmp", kFold0 + "hem/UID_H6_14_1_hem.bmp", kFold0 + "hem/UID_H6_5_1_hem.bmp"};

PreprocessConfig cell_config(int size = 32) {
  PreprocessConfig c;
  c.crop_to_cell = true;
  c.size = size;
  return c;
}

// What an uncached load returns: the reference every cached load must equal bit for bit.
cv::Mat fresh(const std::string& path, const PreprocessConfig& c) {
  return preprocess(decode_image_file(path).rgb, c);
}

bool same(const cv::Mat& a, const cv::Mat& b) {
  return a.size() == b.size() && a.type() == b.type() && cv::norm(a, b, cv::NORM_INF) == 0.0;
}

std::vector<fs::path> packs_under(const fs::path& dir) {
  std::vector<fs::path> packs;
  if (!fs::exists(dir)) return packs;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.path().extension() == ".pack") packs.push_back(e.path());
  std::sort(packs.begin(), packs.end());
  return packs;
}

uint64_t record_bytes(int size) { return kPackHeaderBytes + uint64_t(size) * size * 3 + kPackChecksumBytes; }

TEST(PreprocessCache, HitsAfterFirstLoadAndMissesWhenFileOrSettingsChange) {
  test::TempDir tmp;
  fs::copy_file(test::bundled(kCells[0]), tmp.path() / "cell.bmp");
  PreprocessConfig c = cell_config(64);
  c.denoise = Denoise::Nlm;
  PreprocessCache cache(tmp.str() + "/cache", c);
  cv::Mat first = cache.load(tmp.str() + "/cell.bmp");
  cv::Mat second = cache.load(tmp.str() + "/cell.bmp");
  EXPECT_EQ(cache.misses(), 1u);
  EXPECT_EQ(cache.hits(), 1u);
  EXPECT_TRUE(same(first, second));  // entries are lossless
  EXPECT_TRUE(same(first, fresh(tmp.str() + "/cell.bmp", c)));

  // A new cache object with other settings must not see the old entries.
  c.denoise = Denoise::Median;
  PreprocessCache other(tmp.str() + "/cache", c);
  other.load(tmp.str() + "/cell.bmp");
  EXPECT_EQ(other.misses(), 1u);
  EXPECT_NE(other.settings_dir(), cache.settings_dir());

  // Same settings, changed file content (a different real cell under the same name): a miss, and
  // the output is the new cell's.
  fs::copy_file(test::bundled(kCells[5]), tmp.path() / "cell.bmp", fs::copy_options::overwrite_existing);
  cv::Mat changed = cache.load(tmp.str() + "/cell.bmp");
  EXPECT_EQ(cache.misses(), 2u);
  EXPECT_GT(cv::norm(first, changed, cv::NORM_L1), 0.0);
  EXPECT_TRUE(same(changed, fresh(tmp.str() + "/cell.bmp", cache.config())));

  // Three entries in two packs, one per settings: not one file per image.
  const auto packs = packs_under(tmp.path() / "cache");
  ASSERT_EQ(packs.size(), 2u);
  EXPECT_EQ(fs::file_size(packs_under(cache.settings_dir())[0]), 2 * record_bytes(64));
}

TEST(PreprocessCache, SequentialRunsShareAPackConcurrentOnesWriteTheirOwn) {
  test::TempDir tmp;
  const std::string dir = tmp.str() + "/cache";
  const PreprocessConfig c = cell_config();
  {
    PreprocessCache run1(dir, c);
    run1.load(test::bundled(kCells[0]));
  }
  {
    PreprocessCache run2(dir, c);  // the pack run1 left is free: run2 appends to it
    run2.load(test::bundled(kCells[1]));
    EXPECT_EQ(run2.misses(), 1u);
    EXPECT_TRUE(same(run2.load(test::bundled(kCells[0])), fresh(test::bundled(kCells[0]), c)));
    EXPECT_EQ(run2.hits(), 1u);
  }
  ASSERT_EQ(packs_under(dir).size(), 1u);
  EXPECT_EQ(fs::file_size(packs_under(dir)[0]), 2 * record_bytes(c.size));
  {
    // Two at once (two ranks, or a study beside a predict): each holds its own pack's lock.
    PreprocessCache a(dir, c), b(dir, c);
    a.load(test::bundled(kCells[2]));
    b.load(test::bundled(kCells[3]));
    EXPECT_EQ(a.misses() + b.misses(), 2u);
    EXPECT_EQ(packs_under(dir).size(), 2u);
  }
  PreprocessCache later(dir, c);
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(same(later.load(test::bundled(kCells[i])), fresh(test::bundled(kCells[i]), c)));
  EXPECT_EQ(later.hits(), 4u);
  EXPECT_EQ(later.misses(), 0u);
}

TEST(PreprocessCache, FindsWhatAnotherWriterStoredAfterItOpened) {
  test::TempDir tmp;
  const std::string dir = tmp.str() + "/cache";
  const PreprocessConfig c = cell_config();
  PreprocessCache reader(dir, c);  // opened first: its scan saw nothing
  {
    PreprocessCache writer(dir, c);  // another rank, filling its shard
    writer.load(test::bundled(kCells[0]));
    writer.load(test::bundled(kCells[1]));
  }
  EXPECT_TRUE(same(reader.load(test::bundled(kCells[1])), fresh(test::bundled(kCells[1]), c)));
  EXPECT_EQ(reader.hits(), 1u);
  EXPECT_EQ(reader.misses(), 0u);
}

TEST(PreprocessCache, DamagedPacksAreRecomputedNeverTrusted) {
  test::TempDir tmp;
  const std::string dir = tmp.str() + "/cache";
  const PreprocessConfig c = cell_config();
  const uint64_t record = record_bytes(c.size);
  {
    PreprocessCache fill(dir, c);
    for (int i = 0; i < 3; ++i) fill.load(test::bundled(kCells[i]));
  }
  const fs::path pack = packs_under(dir).at(0);
  ASSERT_EQ(fs::file_size(pack), 3 * record);

  // One flipped payload byte in the second record: its checksum fails, that entry alone is
  // recomputed (and appended), the others are still served.
  {
    std::fstream f(pack, std::ios::in | std::ios::out | std::ios::binary);
    const auto at = static_cast<std::streamoff>(record + kPackHeaderBytes + 100);
    f.seekg(at);
    const char byte = static_cast<char>(f.get());
    f.seekp(at);
    f.put(static_cast<char>(~byte));
  }
  {
    PreprocessCache again(dir, c);
    for (int i = 0; i < 3; ++i) EXPECT_TRUE(same(again.load(test::bundled(kCells[i])), fresh(test::bundled(kCells[i]), c))) << i;
    EXPECT_EQ(again.misses(), 1u);
    EXPECT_EQ(again.hits(), 2u);
  }
  ASSERT_EQ(fs::file_size(pack), 4 * record);

  // A torn tail (a writer killed mid-record, or a power cut): the whole records before it are
  // still served, and the next writer cuts the tail off before appending, so the pack stays whole.
  fs::resize_file(pack, 3 * record + record / 2);
  {
    PreprocessCache again(dir, c);
    EXPECT_TRUE(same(again.load(test::bundled(kCells[0])), fresh(test::bundled(kCells[0]), c)));
    EXPECT_EQ(again.hits(), 1u);
    again.load(test::bundled(kCells[3]));  // a miss: written where the torn record began
    EXPECT_EQ(again.misses(), 1u);
  }
  EXPECT_EQ(fs::file_size(pack), 4 * record);
  EXPECT_EQ(packs_under(dir).size(), 1u);

  // Junk named like a pack, and a FIFO named like one (opening it would block): ignored, no hang.
  std::ofstream(fs::path(pack).parent_path() / "zz-junk.pack") << "not a pack at all";
  ASSERT_EQ(::mkfifo((fs::path(pack).parent_path() / "zz-fifo.pack").c_str(), 0644), 0);
  PreprocessCache again(dir, c);
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(same(again.load(test::bundled(kCells[i])), fresh(test::bundled(kCells[i]), c))) << i;
  EXPECT_EQ(again.misses(), 1u);  // kCells[1]: its good copy was in the torn tail
  // The recomputed copy, appended after the damaged record, supersedes it in the next run.
  PreprocessCache next(dir, c);
  EXPECT_TRUE(same(next.load(test::bundled(kCells[1])), fresh(test::bundled(kCells[1]), c)));
  EXPECT_EQ(next.misses(), 0u);
}

TEST(PreprocessCache, ManyLoaderThreadsGetTheUncachedPixels) {
  test::TempDir tmp;
  const PreprocessConfig c = cell_config();
  PreprocessCache cache(tmp.str() + "/cache", c);
  std::vector<cv::Mat> expected;
  for (const auto& cell : kCells) expected.push_back(fresh(test::bundled(cell), c));
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int round = 0; round < 3; ++round)
        for (size_t i = 0; i < kCells.size(); ++i) {
          const size_t k = (i + t) % kCells.size();
          if (!same(cache.load(test::bundled(kCells[k])), expected[k])) ++wrong;
        }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(cache.hits() + cache.misses(), 4u * 3u * kCells.size());
  EXPECT_GE(cache.misses(), kCells.size());        // each image computed at least once,
  EXPECT_LE(cache.misses(), 4u * kCells.size());   // and at most once per thread (racing misses)
  EXPECT_EQ(packs_under(tmp.path() / "cache").size(), 1u);
}

TEST(PreprocessCache, UnreadableFileNamesTheFile) {
  test::TempDir tmp;
  std::ofstream(tmp.path() / "empty.bmp").close();
  PreprocessCache cache("", PreprocessConfig{});
  try {
    cache.load(tmp.str() + "/empty.bmp");
    FAIL();
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("empty.bmp"), std::string::npos);
  }
}

TEST(CachePack, RecordsRoundTripAndAWrongKeySizeOrOffsetReadsNothing) {
  test::TempDir tmp;
  const PreprocessConfig c = cell_config(16);
  const cv::Mat a = fresh(test::bundled(kCells[0]), c), b = fresh(test::bundled(kCells[4]), c);
  const std::string ka(32, 'a'), kb = "0123456789abcdef0123456789abcdef";
  const std::string bytes = encode_pack_record(ka, a) + encode_pack_record(kb, b);
  ASSERT_EQ(bytes.size(), 2 * record_bytes(16));
  const std::string path = tmp.str() + "/p.pack";
  std::ofstream(path, std::ios::binary) << bytes;
  const int fd = ::open(path.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  const PackScan scan = scan_pack(fd, bytes.size(), 16);
  ASSERT_EQ(scan.slots.size(), 2u);
  EXPECT_EQ(scan.slots[1].key, kb);
  EXPECT_EQ(scan.slots[1].offset, record_bytes(16));
  EXPECT_EQ(scan.valid_end, bytes.size());
  EXPECT_TRUE(same(read_pack_record(fd, 0, ka, 16), a));
  EXPECT_TRUE(same(read_pack_record(fd, scan.slots[1].offset, kb, 16), b));
  EXPECT_TRUE(read_pack_record(fd, 0, kb, 16).empty());                // another image's key
  EXPECT_TRUE(read_pack_record(fd, 0, ka, 32).empty());                // another size
  EXPECT_TRUE(read_pack_record(fd, 8, ka, 16).empty());                // not a record boundary
  EXPECT_EQ(scan_pack(fd, bytes.size(), 32).slots.size(), 0u);         // settings of another size
  EXPECT_EQ(scan_pack(fd, bytes.size() - 1, 16).slots.size(), 1u);     // a torn second record
  EXPECT_EQ(scan_pack(fd, bytes.size(), 16, scan.slots[1].offset).slots.size(), 1u);  // resumed
  ::close(fd);
  EXPECT_THROW(encode_pack_record("not hex", a), std::invalid_argument);
}

}  // namespace
}  // namespace leuko
