// The review page of `predict --report` on real bundled cell images (data/aria-mini): flagged
// cells first and lowest confidence first, one gallery per class holding exactly its accepted
// cells, embedded thumbnails that decode back to the asked size, placeholders for unreadable
// images, escaping of everything from the data, and no script or external reference.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "common/base64.h"
#include "common/test_paths.h"
#include "report/review_page.h"
#include "report/text_format.h"

namespace leuko {
namespace {

namespace fs = std::filesystem;
using report::review_page_html;
using report::ReviewPageOptions;

const std::vector<std::string> kClasses = {"Benign", "Early", "Pre", "Pro"};

// The bundled images of one Aria class, sorted so that tests pick the same files every run.
std::vector<std::string> class_images(const std::string& name) {
  std::vector<std::string> paths;
  for (const auto& entry : fs::directory_iterator(test::bundled("aria-mini/" + name)))
    paths.push_back(entry.path().string());
  std::sort(paths.begin(), paths.end());
  return paths;
}

// A cell predicted as `predicted` with top probability `confidence`, the rest shared evenly.
CellPrediction cell(const std::string& path, int predicted, double confidence, bool review,
                    const std::string& patient = "") {
  CellPrediction c;
  c.path = path;
  c.patient = patient;
  c.predicted = predicted;
  c.confidence = confidence;
  c.probs.assign(kClasses.size(), static_cast<float>((1 - confidence) / (kClasses.size() - 1)));
  c.probs[static_cast<size_t>(predicted)] = static_cast<float>(confidence);
  c.review = review;
  c.why = review ? "confidence below 0.70" : "";
  return c;
}

PredictionSet empty_set() {
  PredictionSet set;
  set.run = "runs/aria-small";
  set.classes = kClasses;
  set.review_rule = "review when confidence < 0.70";
  return set;
}

// Flagged cells with shuffled confidences, and accepted cells of every class but Pro.
PredictionSet mixed_set() {
  PredictionSet set = empty_set();
  auto benign = class_images("Benign"), early = class_images("Early"), pre = class_images("Pre");
  set.cells.push_back(cell(early[0], 1, 0.61, true));
  set.cells.push_back(cell(benign[0], 0, 0.93, false));
  set.cells.push_back(cell(pre[0], 2, 0.42, true));
  set.cells.push_back(cell(early[1], 1, 0.88, false));
  set.cells.push_back(cell(benign[1], 0, 0.99, false));
  set.cells.push_back(cell(pre[1], 2, 0.55, true));
  set.cells.push_back(cell(pre[2], 2, 0.97, false));
  set.cells.push_back(cell(early[2], 1, 0.91, false));
  return set;
}

std::string file_name(const std::string& path) { return fs::path(path).filename().string(); }

// The page from a section's <h2> to the end of that section.
std::string section_html(const std::string& html, const std::string& id) {
  size_t start = html.find("<h2 id=\"" + id + "\">");
  if (start == std::string::npos) return "";
  return html.substr(start, html.find("</section>", start) - start);
}

size_t occurrences(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

// The file names on the cards of `html`, in page order.
std::vector<std::string> card_files(const std::string& html) {
  static const std::regex kFile("<p class=\"file\" title=\"[^\"]*\">([^<]*)</p>");
  std::vector<std::string> names;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), kFile); it != std::sregex_iterator(); ++it)
    names.push_back((*it)[1]);
  return names;
}

// Every embedded image of the page, decoded (BGR, as OpenCV decodes), with its width/height attributes.
struct EmbeddedImage {
  cv::Mat image;
  int width_attribute = 0, height_attribute = 0;
};

// Found by plain string search: std::regex recurses once per character and overflows the stack
// on the Base64 of a large thumbnail.
std::vector<EmbeddedImage> embedded_images(const std::string& html) {
  const std::string open = "<img src=\"data:image/png;base64,";
  auto attribute = [&](size_t from, const std::string& name) {
    size_t at = html.find(name + "=\"", from);
    return at == std::string::npos ? -1 : std::stoi(html.substr(at + name.size() + 2));
  };
  std::vector<EmbeddedImage> images;
  for (size_t at = html.find(open); at != std::string::npos; at = html.find(open, at + 1)) {
    const size_t start = at + open.size(), end = html.find('"', start);
    auto bytes = base64_decode(html.substr(start, end - start));
    EXPECT_TRUE(bytes.has_value()) << "an embedded image is not valid Base64";
    images.push_back({bytes ? cv::imdecode(*bytes, cv::IMREAD_UNCHANGED) : cv::Mat(), attribute(end, "width"),
                      attribute(end, "height")});
  }
  return images;
}

TEST(ReviewPage, FlaggedCellsComeFirstLowestConfidenceFirst) {
  PredictionSet set = mixed_set();
  std::string html = review_page_html(set, {});
  size_t flagged = html.find("<h2 id=\"flagged\">");
  ASSERT_NE(flagged, std::string::npos);
  for (size_t c = 0; c < kClasses.size(); ++c) {
    size_t gallery = html.find("<h2 id=\"class-" + std::to_string(c) + "-" + report::slug(kClasses[c]) + "\">");
    ASSERT_NE(gallery, std::string::npos) << kClasses[c];
    EXPECT_LT(flagged, gallery) << kClasses[c];
  }
  EXPECT_EQ(card_files(section_html(html, "flagged")),
            (std::vector<std::string>{file_name(set.cells[2].path), file_name(set.cells[5].path),
                                      file_name(set.cells[0].path)}));
  std::string flagged_html = section_html(html, "flagged");
  EXPECT_EQ(occurrences(flagged_html, "<div class=\"card flagged\">"), 3u);
  EXPECT_NE(flagged_html.find("confidence below 0.70"), std::string::npos) << "the why text";
}

TEST(ReviewPage, EachClassGalleryHoldsExactlyItsAcceptedCellsMostConfidentFirst) {
  PredictionSet set = mixed_set();
  std::string html = review_page_html(set, {});
  auto gallery = [&](int c) {
    return card_files(
        section_html(html, "class-" + std::to_string(c) + "-" + report::slug(kClasses[static_cast<size_t>(c)])));
  };
  EXPECT_EQ(gallery(0), (std::vector<std::string>{file_name(set.cells[4].path), file_name(set.cells[1].path)}));
  EXPECT_EQ(gallery(1), (std::vector<std::string>{file_name(set.cells[7].path), file_name(set.cells[3].path)}));
  EXPECT_EQ(gallery(2), (std::vector<std::string>{file_name(set.cells[6].path)}));
  EXPECT_TRUE(gallery(3).empty());
  EXPECT_NE(section_html(html, "class-3-pro").find("No cell was accepted as Pro."), std::string::npos);
  // Every cell is on the page once: 3 flagged + 5 accepted.
  EXPECT_EQ(card_files(html).size(), set.cells.size());
  EXPECT_EQ(occurrences(html, "<div class=\"card\">"), 5u);
}

TEST(ReviewPage, SummaryStatesTheCountsAndTheReviewRule) {
  PredictionSet set = mixed_set();
  set.skipped.push_back({"/data/smear/broken.bmp", "truncated BMP (10 of 1000 bytes)"});
  ReviewPageOptions options;
  options.byline = {"2024-05-01 10:00", "leukoscope predict runs/aria-small smears/ --report"};
  std::string html = review_page_html(set, options);
  std::string summary = section_html(html, "summary");
  EXPECT_NE(summary.find("<dt>Cells</dt><dd>8</dd>"), std::string::npos) << summary;
  EXPECT_NE(summary.find("<dt>Flagged for review</dt><dd>3 (37.5%)</dd>"), std::string::npos) << summary;
  EXPECT_NE(summary.find("<dt>Skipped files</dt><dd>1</dd>"), std::string::npos) << summary;
  EXPECT_NE(summary.find("review when confidence &lt; 0.70"), std::string::npos) << summary;
  EXPECT_NE(summary.find("runs/aria-small"), std::string::npos);
  EXPECT_NE(html.find("leukoscope predict runs/aria-small smears/ --report"), std::string::npos) << "the byline";
  std::string skipped = section_html(html, "skipped");
  EXPECT_NE(skipped.find("/data/smear/broken.bmp"), std::string::npos);
  EXPECT_NE(skipped.find("truncated BMP (10 of 1000 bytes)"), std::string::npos);
  EXPECT_EQ(section_html(review_page_html(mixed_set(), {}), "skipped"), "")
      << "no skipped section without skipped files";
}

TEST(ReviewPage, ThumbnailsDecodeBackToTheThumbnailSizeInTheRightColours) {
  PredictionSet set = empty_set();
  std::string path = class_images("Early")[3];
  set.cells.push_back(cell(path, 1, 0.95, false));
  ReviewPageOptions options;
  options.thumbnail_px = 64;
  auto images = embedded_images(review_page_html(set, options));
  ASSERT_EQ(images.size(), 1u);
  const cv::Mat& thumbnail = images[0].image;
  ASSERT_FALSE(thumbnail.empty());
  EXPECT_EQ(thumbnail.type(), CV_8UC3);
  EXPECT_EQ(std::max(thumbnail.cols, thumbnail.rows), 64);
  EXPECT_EQ(images[0].width_attribute, thumbnail.cols);
  EXPECT_EQ(images[0].height_attribute, thumbnail.rows);
  // Channel order: the thumbnail's mean colour is the original's (both BGR as OpenCV reads them).
  cv::Scalar original = cv::mean(cv::imread(path, cv::IMREAD_COLOR)), shown = cv::mean(thumbnail);
  for (int channel = 0; channel < 3; ++channel) EXPECT_NEAR(shown[channel], original[channel], 3.0) << channel;
}

TEST(ReviewPage, AHeatmapPictureTakesTheCellsPlaceAtTwiceTheWidth) {
  PredictionSet set = mixed_set();
  ReviewPageOptions options;
  options.heatmaps[set.cells[0].path] = class_images("Pro")[0];  // any real image stands in for a heatmap
  options.heatmaps[set.cells[5].path] = "/nonexistent/heatmap.png";
  std::string flagged = section_html(review_page_html(set, options), "flagged");
  EXPECT_EQ(occurrences(flagged, "<img "), 2u) << "one cell without a heatmap and one readable heatmap";
  const std::string alt = "the cell as the model saw it, and its heatmap: ";
  EXPECT_EQ(occurrences(flagged, "alt=\"" + alt + file_name(set.cells[0].path) + "\""), 1u);
  EXPECT_EQ(occurrences(flagged, "<div class=\"missing\" title=\"" + alt + file_name(set.cells[5].path)), 1u);
  std::vector<int> sides;
  for (const auto& image : embedded_images(flagged)) sides.push_back(std::max(image.image.cols, image.image.rows));
  std::sort(sides.begin(), sides.end());
  EXPECT_EQ(sides, (std::vector<int>{96, 2 * 96 + 6}));
}

TEST(ReviewPage, AnUnreadableImageGetsAPlaceholderWithItsReason) {
  test::TempDir dir;
  std::string corrupt = dir.str() + "/corrupt.png";
  std::ofstream(corrupt) << "not a png at all";
  PredictionSet set = mixed_set();
  set.cells.push_back(cell(dir.str() + "/gone.jpg", 0, 0.30, true));
  set.cells.push_back(cell(corrupt, 3, 0.99, false));
  std::string html;
  ASSERT_NO_THROW(html = review_page_html(set, {}));
  EXPECT_EQ(occurrences(html, "<div class=\"missing\""), 2u);
  EXPECT_NE(section_html(html, "flagged").find("not shown: missing"), std::string::npos);
  EXPECT_NE(section_html(html, "class-3-pro").find("not shown: "), std::string::npos);
  EXPECT_EQ(card_files(section_html(html, "class-3-pro")), std::vector<std::string>{"corrupt.png"});
  EXPECT_EQ(embedded_images(html).size(), 8u) << "the readable cells keep their thumbnails";
}

TEST(ReviewPage, EscapesEverythingFromTheDataAndIsSelfContained) {
  PredictionSet set = mixed_set();
  set.classes[3] = "<script>alert(1)</script>";
  set.run = "runs/<b>bold</b>";
  set.cells.push_back(cell("/smears/<script>alert(2)<script>\".jpg", 3, 0.99, false, "P<1>"));
  set.cells.push_back(cell(class_images("Pro")[0], 3, 0.98, false, "P&2"));
  set.cells.back().why = "";
  set.skipped.push_back({"/smears/<img src=x>.bmp", "reason <i>"});
  set.patients = call_patients(set.cells, static_cast<int>(set.classes.size()));
  ReviewPageOptions options;
  options.title = "Review <now>";
  options.heatmaps[set.cells[0].path] = class_images("Pro")[1];
  std::string html = review_page_html(set, options);

  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<b>"), std::string::npos);
  EXPECT_EQ(html.find("<i>"), std::string::npos);
  EXPECT_EQ(html.find("<img src=x"), std::string::npos);
  EXPECT_NE(html.find(report::escape_html("<script>alert(1)</script>")), std::string::npos);
  EXPECT_NE(html.find("title=\"" + report::escape_html("/smears/<script>alert(2)<script>\".jpg") + "\""), std::string::npos);
  EXPECT_NE(html.find(report::escape_html("P<1>")), std::string::npos);
  EXPECT_NE(html.find("<title>Review &lt;now&gt;</title>"), std::string::npos);
  // Self-contained: no scheme, no stylesheet or font to fetch; every image is embedded.
  EXPECT_EQ(html.find("http"), std::string::npos);
  EXPECT_EQ(html.find("@import"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(occurrences(html, "src=\""), occurrences(html, "src=\"data:image/png;base64,"));
}

TEST(ReviewPage, ThePatientsTableOnlyWhenThereArePatients) {
  PredictionSet set = mixed_set();
  EXPECT_EQ(review_page_html(set, {}).find("id=\"patients\""), std::string::npos);
  for (size_t i = 0; i < set.cells.size(); ++i) set.cells[i].patient = i < 4 ? "P01" : "P02";
  set.patients = call_patients(set.cells, static_cast<int>(set.classes.size()));
  std::string patients = section_html(review_page_html(set, {}), "patients");
  ASSERT_NE(patients, "");
  for (const char* header :
       {"Patient", "Cells", "Benign", "Early", "Pre", "Pro", "Call", "Mean probability", "Awaiting review"})
    EXPECT_NE(patients.find(">" + std::string(header) + "</th>"), std::string::npos) << header;
  // P01: cells 0-3 (Early 0.61 flagged, Benign, Pre 0.42 flagged, Early): called Early, 2 awaiting review.
  std::regex p01(
      "<tr><td>P01</td><td class=\"num\">4</td><td class=\"num\">1</td><td class=\"num\">2</td>"
      "<td class=\"num\">1</td><td class=\"num\">0</td><td>Early</td><td class=\"num\">[0-9.]+</td>"
      "<td class=\"num\"><strong>2</strong></td></tr>");
  EXPECT_TRUE(std::regex_search(patients, p01)) << patients;
}

TEST(ReviewPage, LargeClassGalleriesAreCappedButFlaggedCellsNever) {
  PredictionSet set = empty_set();
  auto benign = class_images("Benign"), pre = class_images("Pre");
  for (size_t i = 0; i < 7; ++i) set.cells.push_back(cell(benign[i], 0, 0.90 + 0.01 * static_cast<double>(i), false));
  for (size_t i = 0; i < 5; ++i) set.cells.push_back(cell(pre[i], 2, 0.50 + 0.01 * static_cast<double>(i), true));
  set.cells.push_back(cell(pre[5], 2, 0.95, false));
  ReviewPageOptions options;
  options.max_cells_per_class = 3;
  options.thumbnail_px = 32;
  std::string html = review_page_html(set, options);
  std::string benign_gallery = section_html(html, "class-0-benign");
  EXPECT_EQ(card_files(benign_gallery),
            (std::vector<std::string>{file_name(benign[6]), file_name(benign[5]), file_name(benign[4])}));
  EXPECT_NE(benign_gallery.find("4 more in predictions.csv"), std::string::npos) << benign_gallery;
  EXPECT_NE(benign_gallery.find("Accepted as Benign (7)"), std::string::npos);
  EXPECT_EQ(card_files(section_html(html, "flagged")).size(), 5u);
  std::string pre_gallery = section_html(html, "class-2-pre");
  EXPECT_EQ(card_files(pre_gallery).size(), 1u);
  EXPECT_EQ(pre_gallery.find("more in predictions.csv"), std::string::npos);
  EXPECT_EQ(embedded_images(html).size(), 3u + 5u + 1u) << "only the shown cells are decoded and embedded";
}

TEST(ReviewPage, AnEmptyRunStillMakesAPage) {
  std::string html = review_page_html(empty_set(), {});
  EXPECT_NE(html.find("No cell was flagged for review."), std::string::npos);
  EXPECT_NE(html.find("</html>"), std::string::npos);
}

}  // namespace
}  // namespace leuko
