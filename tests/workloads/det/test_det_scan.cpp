// The scan reader: fixed-point conversion and every error.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <limits>

#include "det_test_files.h"

namespace {

TEST(DetScan, ConvertsToMillimetresAndIntensitySteps) {
  const auto pts =
      det::parse_scan(det_test::scan_bytes({{1.2345f, -0.0005f, -1.75f, 0.5f}, {0, 0, 0, 1.5f}}), "t");
  ASSERT_EQ(pts.size(), 2u);
  EXPECT_EQ(pts[0].x, 1235);  // 1234.5 mm (as float slightly above) rounds up
  EXPECT_EQ(pts[0].y, -1);    // half away from zero
  EXPECT_EQ(pts[0].z, -1750);
  EXPECT_EQ(pts[0].intensity, 64);   // 63.5 -> 64
  EXPECT_EQ(pts[1].intensity, 127);  // clamped to 1
}

TEST(DetScan, RejectsEmptyAndTruncated) {
  try {
    det::parse_scan({}, "e.bin");
    FAIL();
  } catch (const det::scan_error& e) {
    EXPECT_STREQ(e.what(), "e.bin: empty scan");
    EXPECT_FALSE(e.missing());
  }
  auto b = det_test::scan_bytes({{1, 2, 3, 0.5f}});
  b.pop_back();
  try {
    det::parse_scan(b, "t.bin");
    FAIL();
  } catch (const det::scan_error& e) {
    EXPECT_NE(std::string(e.what()).find("t.bin: truncated: 15 bytes is not a multiple of 16"),
              std::string::npos);
    EXPECT_FALSE(e.missing());
  }
}

TEST(DetScan, RejectsNonFiniteAndHugeValues) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  EXPECT_THROW(det::parse_scan(det_test::scan_bytes({{0, 0, 0, 0}, {nan, 0, 0, 0}}), "n"), det::scan_error);
  EXPECT_THROW(det::parse_scan(det_test::scan_bytes({{0, 2e4f, 0, 0}}), "h"), det::scan_error);
  EXPECT_THROW(det::parse_scan(det_test::scan_bytes({{0, 0, 0, nan}}), "i"), det::scan_error);
  try {
    det::parse_scan(det_test::scan_bytes({{0, 0, 0, 0}, {0, 0, std::numeric_limits<float>::infinity(), 0}}),
                    "z.bin");
    FAIL();
  } catch (const det::scan_error& e) {
    EXPECT_STREQ(e.what(), "z.bin: point 1: z is not finite or beyond 10 km");
  }
}

TEST(DetScan, MissingFile) {
  try {
    det::read_scan("/nonexistent/scan.bin");
    FAIL();
  } catch (const det::scan_error& e) {
    EXPECT_STREQ(e.what(), "cannot read '/nonexistent/scan.bin'");
    EXPECT_TRUE(e.missing());
  }
}

TEST(DetScan, DirectoryIsUnreadable) {
  try {
    det::read_scan(::testing::TempDir());
    FAIL();
  } catch (const det::scan_error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot read '"), std::string::npos);
    EXPECT_TRUE(e.missing());
  }
}

TEST(DetScan, ReadsTheKittiScan) {
  const auto pts = det::read_scan(det_test::scan_path);
  ASSERT_EQ(pts.size(), 17238u);
  for (const auto& p : pts) {
    EXPECT_GE(p.intensity, 0);
    EXPECT_LE(p.intensity, 127);
  }
}

TEST(DetScan, TruncatedFileOnDisk) {
  const std::string path = ::testing::TempDir() + "det_cut.bin";
  {
    std::ofstream out(path, std::ios::binary);
    const auto b = det_test::scan_bytes({{1, 2, 3, 0}, {4, 5, 6, 0}});
    out.write(reinterpret_cast<const char*>(b.data()), 20);
  }
  try {
    det::read_scan(path);
    FAIL();
  } catch (const det::scan_error& e) {
    EXPECT_NE(std::string(e.what()).find("truncated: 20 bytes"), std::string::npos);
    EXPECT_FALSE(e.missing());
  }
  std::remove(path.c_str());
}

}  // namespace
