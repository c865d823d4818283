#include "report/review_page.h"

#include <algorithm>
#include <cmath>
#include <exception>
#include <filesystem>
#include <sstream>
#include <utility>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "common/base64.h"
#include "common/parallel.h"
#include "data/image_decode.h"
#include "report/html_writer.h"
#include "report/palette.h"
#include "report/report_document.h"
#include "report/text_format.h"

namespace leuko::report {

namespace {

// The gallery's own rules, appended to the report's stylesheet. `--thumb` is the thumbnail size.
const char* const kGalleryStyle = R"CSS(
.gallery { display: flex; flex-wrap: wrap; gap: 12px; margin: 12px 0 8px; }
.card { flex: 0 0 auto; width: var(--card); border: 1px solid var(--rule); border-radius: 8px; padding: 8px;
  background: #fff; font-size: 12.5px; line-height: 1.4; }
.card.flagged { border-color: #e69f00; box-shadow: inset 0 3px 0 #e69f00; }
.thumbs { display: flex; gap: 6px; justify-content: center; }
.thumbs img { display: block; border-radius: 4px; }
.thumbs .missing { display: flex; align-items: center; justify-content: center; text-align: center;
  width: var(--thumb); height: var(--thumb); border: 1px dashed #c3332b; border-radius: 4px; color: #c3332b;
  font-size: 11px; padding: 4px; overflow: hidden; overflow-wrap: anywhere; }
.card .call { font-weight: 600; margin: 6px 0 2px; }
.probs { list-style: none; margin: 2px 0 4px; padding: 0; font-variant-numeric: tabular-nums; }
.probs li { display: grid; grid-template-columns: minmax(0, 1fr) 56px 38px; gap: 5px; align-items: center; }
.probs li.top { font-weight: 600; }
.probs .name { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.probs .bar { height: 7px; background: var(--head); border-radius: 3px; overflow: hidden; }
.probs .bar span { display: block; height: 100%; }
.probs .p { text-align: right; }
.card .why { color: #7a4d00; margin: 2px 0; }
.card .file, .card .patient { color: var(--muted); margin: 2px 0 0; overflow-wrap: anywhere; }
@media print { .card { break-inside: avoid; } }
)CSS";

// A thumbnail ready for an <img>, or the reason there is none.
struct Thumbnail {
  std::string data_uri;
  int width = 0, height = 0;
  std::string error;
};

Thumbnail make_thumbnail(const std::string& path, int size) {
  try {
    DecodedImage image = decode_image_file(path);
    if (!image.ok()) return {"", 0, 0, image.error};
    double scale = static_cast<double>(size) / std::max(image.rgb.cols, image.rgb.rows);
    int width = std::max(1, static_cast<int>(std::lround(image.rgb.cols * scale)));
    int height = std::max(1, static_cast<int>(std::lround(image.rgb.rows * scale)));
    cv::Mat resized, bgr;
    // INTER_AREA averages the pixels a thumbnail pixel covers (no moiré); it is nearest-neighbour
    // when enlarging, where linear interpolation looks better.
    cv::resize(image.rgb, resized, cv::Size(width, height), 0, 0, scale < 1 ? cv::INTER_AREA : cv::INTER_LINEAR);
    cv::cvtColor(resized, bgr, cv::COLOR_RGB2BGR);  // the decoder gives RGB, the encoder wants BGR
    std::vector<uint8_t> png;
    if (!cv::imencode(".png", bgr, png)) return {"", 0, 0, "cannot encode the thumbnail"};
    return {"data:image/png;base64," + base64_encode(png), width, height, ""};
  } catch (const std::exception& e) {
    return {"", 0, 0, std::string("cannot make a thumbnail: ") + e.what()};
  }
}

std::string class_name(const PredictionSet& set, int index) {
  return index >= 0 && static_cast<size_t>(index) < set.classes.size() ? set.classes[static_cast<size_t>(index)]
                                                                       : "class " + std::to_string(index);
}

std::string file_name(const std::string& path) {
  std::string name = std::filesystem::path(path).filename().string();
  return name.empty() ? path : name;
}

// What each gallery shows, as indices into set.cells: decided before any image is decoded, so
// only the cells on the page are.
struct Galleries {
  std::vector<size_t> flagged;                // lowest confidence first
  std::vector<std::vector<size_t>> accepted;  // per class, highest confidence first, capped
  std::vector<size_t> not_shown;              // per class: accepted cells beyond the cap
};

Galleries choose_cells(const PredictionSet& set, int cap) {
  Galleries g;
  g.accepted.resize(set.classes.size());
  g.not_shown.assign(set.classes.size(), 0);
  for (size_t i = 0; i < set.cells.size(); ++i) {
    const CellPrediction& cell = set.cells[i];
    if (cell.review)
      g.flagged.push_back(i);
    else if (cell.predicted >= 0 && static_cast<size_t>(cell.predicted) < set.classes.size())
      g.accepted[static_cast<size_t>(cell.predicted)].push_back(i);
  }
  // Ties broken by path, so the same predictions always give the same page.
  auto by_confidence = [&](bool rising) {
    return [&set, rising](size_t a, size_t b) {
      const CellPrediction &x = set.cells[a], &y = set.cells[b];
      if (x.confidence != y.confidence) return rising ? x.confidence < y.confidence : x.confidence > y.confidence;
      return x.path < y.path;
    };
  };
  std::sort(g.flagged.begin(), g.flagged.end(), by_confidence(true));
  for (size_t c = 0; c < g.accepted.size(); ++c) {
    auto& cells = g.accepted[c];
    std::sort(cells.begin(), cells.end(), by_confidence(false));
    size_t keep = static_cast<size_t>(std::max(cap, 0));
    if (cells.size() > keep) {
      g.not_shown[c] = cells.size() - keep;
      cells.resize(keep);
    }
  }
  return g;
}

// Thumbnails of the shown cells and of their heatmaps, by image path, decoded in parallel.
std::map<std::string, Thumbnail> make_thumbnails(const PredictionSet& set, const Galleries& galleries,
                                                 const ReviewPageOptions& options) {
  std::map<std::string, Thumbnail> thumbnails;
  // A cell with a heatmap is shown by it alone: its picture already holds the cell as the model
  // saw it beside the overlay, so it gets the width of two thumbnails.
  std::map<std::string, int> sizes;
  auto want = [&](size_t cell) {
    const std::string& path = set.cells[cell].path;
    auto heatmap = options.heatmaps.find(path);
    if (heatmap != options.heatmaps.end()) sizes[heatmap->second] = 2 * options.thumbnail_px + 6;
    else sizes[path] = options.thumbnail_px;
  };
  for (size_t cell : galleries.flagged) want(cell);
  for (const auto& cells : galleries.accepted)
    for (size_t cell : cells) want(cell);
  for (const auto& entry : sizes) thumbnails[entry.first];
  std::vector<std::pair<const std::string, Thumbnail>*> slots;
  for (auto& entry : thumbnails) slots.push_back(&entry);
  parallel_for(slots.size(), options.threads > 0 ? options.threads : default_thread_count(),
               [&](size_t i) { slots[i]->second = make_thumbnail(slots[i]->first, sizes.at(slots[i]->first)); });
  return thumbnails;
}

std::string image_html(const Thumbnail& thumbnail, const std::string& alt) {
  if (!thumbnail.error.empty())
    return "<div class=\"missing\" title=\"" + escape_html(alt) + "\">not shown: " + escape_html(thumbnail.error) +
           "</div>";
  return "<img src=\"" + thumbnail.data_uri + "\" width=\"" + std::to_string(thumbnail.width) + "\" height=\"" +
         std::to_string(thumbnail.height) + "\" alt=\"" + escape_html(alt) + "\">";
}

// The calibrated probability of every class, as a bar and a number; the predicted class bold.
void write_probabilities(std::ostringstream& out, const PredictionSet& set, const CellPrediction& cell) {
  out << "<ul class=\"probs\">";
  for (size_t c = 0; c < set.classes.size() && c < cell.probs.size(); ++c) {
    double p = std::clamp(static_cast<double>(cell.probs[c]), 0.0, 1.0);
    out << (static_cast<int>(c) == cell.predicted ? "<li class=\"top\">" : "<li>") << "<span class=\"name\">"
        << escape_html(set.classes[c])
        << "</span><span class=\"bar\"><span style=\"width:" << format_plain_number(std::round(p * 1000) / 10)
        << "%;background:" << series_colour(c) << "\"></span></span><span class=\"p\">" << format_metric(cell.probs[c])
        << "</span></li>";
  }
  out << "</ul>\n";
}

void write_card(std::ostringstream& out, const PredictionSet& set, const CellPrediction& cell,
                const std::map<std::string, Thumbnail>& thumbnails, const ReviewPageOptions& options) {
  out << (cell.review ? "<div class=\"card flagged\">\n" : "<div class=\"card\">\n") << "<div class=\"thumbs\">";
  auto heatmap = options.heatmaps.find(cell.path);
  if (heatmap != options.heatmaps.end())
    out << image_html(thumbnails.at(heatmap->second), "the cell as the model saw it, and its heatmap: " + file_name(cell.path));
  else
    out << image_html(thumbnails.at(cell.path), file_name(cell.path));
  out << "</div>\n<p class=\"call\">" << escape_html(class_name(set, cell.predicted)) << " · confidence "
      << format_metric(cell.confidence) << "</p>\n";
  write_probabilities(out, set, cell);
  if (!cell.why.empty()) out << "<p class=\"why\">" << escape_html(cell.why) << "</p>\n";
  out << "<p class=\"file\" title=\"" << escape_html(cell.path) << "\">" << escape_html(file_name(cell.path))
      << "</p>\n";
  if (!cell.patient.empty()) out << "<p class=\"patient\">patient " << escape_html(cell.patient) << "</p>\n";
  out << "</div>\n";
}

void write_gallery(std::ostringstream& out, const PredictionSet& set, const std::vector<size_t>& cells,
                   const std::map<std::string, Thumbnail>& thumbnails, const ReviewPageOptions& options) {
  out << "<div class=\"gallery\">\n";
  for (size_t cell : cells) write_card(out, set, set.cells[cell], thumbnails, options);
  out << "</div>\n";
}

std::string count_with_share(size_t count, size_t total) {
  std::string text = format_thousands(static_cast<long long>(count));
  if (total > 0) text += " (" + format_plain_number(std::round(1000.0 * count / total) / 10) + "%)";
  return text;
}

FactList summary_facts(const PredictionSet& set, const Galleries& galleries) {
  size_t accepted = set.cells.size() - galleries.flagged.size();
  std::string classes;
  for (const auto& name : set.classes) classes += (classes.empty() ? "" : ", ") + name;
  return FactList{{{"Run", set.run.empty() ? "(not given)" : set.run},
                   {"Classes", classes},
                   {"Cells", format_thousands(static_cast<long long>(set.cells.size()))},
                   {"Flagged for review", count_with_share(galleries.flagged.size(), set.cells.size())},
                   {"Accepted", count_with_share(accepted, set.cells.size())},
                   {"Skipped files", format_thousands(static_cast<long long>(set.skipped.size()))},
                   {"Review rule", set.review_rule.empty() ? "(none given)" : set.review_rule}}};
}

// Cell's full form: a partial brace list trips -Wmissing-field-initializers.
Cell table_cell(std::string text, bool numeric = false, bool strong = false) {
  return Cell{std::move(text), numeric, strong, "", ""};
}

Table patients_table(const PredictionSet& set) {
  Table table;
  table.header = {"Patient", "Cells"};
  for (const auto& name : set.classes) table.header.push_back(name);
  for (const char* column : {"Call", "Mean probability", "Awaiting review"}) table.header.push_back(column);
  for (const auto& patient : set.patients) {
    Row row;
    row.cells.push_back(table_cell(patient.patient));
    row.cells.push_back(table_cell(format_thousands(patient.cells), true));
    for (size_t c = 0; c < set.classes.size(); ++c)
      row.cells.push_back(
          table_cell(c < patient.cells_per_class.size() ? format_thousands(patient.cells_per_class[c]) : "", true));
    row.cells.push_back(table_cell(class_name(set, patient.call)));
    size_t call = static_cast<size_t>(patient.call);
    row.cells.push_back(
        table_cell(call < patient.mean_probs.size() ? format_metric(patient.mean_probs[call]) : "", true));
    // Bold: the patients whose call is not final yet.
    row.cells.push_back(table_cell(format_thousands(patient.awaiting_review), true, patient.awaiting_review > 0));
    table.rows.push_back(std::move(row));
  }
  table.caption =
      "Cells per class counts every cell by its predicted class, flagged or not. The call is the class "
      "with the highest mean calibrated probability over the patient's cells; it stands only once the "
      "cells awaiting review have been seen.";
  return table;
}

Table skipped_table(const PredictionSet& set) {
  Table table;
  table.header = {"File", "Reason"};
  for (const auto& skipped : set.skipped)
    table.rows.push_back(Row{{table_cell(skipped.path), table_cell(skipped.reason)}});
  return table;
}

// Cards are as wide as their thumbnails (two with a heatmap), and never too narrow for the bars.
std::string page_style(const ReviewPageOptions& options) {
  int thumb = options.thumbnail_px;
  int images = options.heatmaps.empty() ? thumb : 2 * thumb + 6;
  return ":root { --thumb: " + std::to_string(thumb) + "px; --card: " + std::to_string(std::max(190, images + 18)) +
         "px; }" + kGalleryStyle;
}

struct PageSection {
  std::string id, title;
  std::string body;
};

}  // namespace

std::string review_page_html(const PredictionSet& set, const ReviewPageOptions& options) {
  Galleries galleries = choose_cells(set, options.max_cells_per_class);
  std::map<std::string, Thumbnail> thumbnails = make_thumbnails(set, galleries, options);

  std::vector<PageSection> sections;
  sections.push_back({"summary", "Summary", html_block(summary_facts(set, galleries))});
  if (!set.patients.empty()) sections.push_back({"patients", "Patients", html_block(patients_table(set))});

  std::ostringstream flagged;
  if (galleries.flagged.empty())
    flagged << html_block(Paragraph{"No cell was flagged for review."});
  else
    flagged << html_block(
        Paragraph{"Every flagged cell, lowest confidence first: its predicted class, the calibrated "
                  "probability of each class and why it was flagged."});
  write_gallery(flagged, set, galleries.flagged, thumbnails, options);
  sections.push_back({"flagged",
                      "Flagged for review (" + format_thousands(static_cast<long long>(galleries.flagged.size())) + ")",
                      flagged.str()});

  for (size_t c = 0; c < set.classes.size(); ++c) {
    const auto& cells = galleries.accepted[c];
    size_t total = cells.size() + galleries.not_shown[c];
    std::ostringstream gallery;
    if (total == 0) gallery << html_block(Paragraph{"No cell was accepted as " + set.classes[c] + "."});
    write_gallery(gallery, set, cells, thumbnails, options);
    if (galleries.not_shown[c] > 0)
      gallery << html_block(Notice{"Showing the " + format_thousands(static_cast<long long>(cells.size())) +
                                   " most confident of " + format_thousands(static_cast<long long>(total)) + "; " +
                                   format_thousands(static_cast<long long>(galleries.not_shown[c])) +
                                   " more in predictions.csv."});
    sections.push_back({"class-" + std::to_string(c) + "-" + slug(set.classes[c]),
                        "Accepted as " + set.classes[c] + " (" + format_thousands(static_cast<long long>(total)) + ")",
                        gallery.str()});
  }
  if (!set.skipped.empty()) sections.push_back({"skipped", "Skipped files", html_block(skipped_table(set))});

  std::vector<std::pair<std::string, std::string>> contents;
  for (const auto& section : sections) contents.emplace_back(section.id, section.title);
  std::ostringstream out;
  out << html_page_start(options.title, options.byline, contents, page_style(options));
  for (const auto& section : sections)
    out << "<section>\n<h2 id=\"" << escape_html(section.id) << "\">" << escape_html(section.title) << "</h2>\n"
        << section.body << "</section>\n";
  out << html_page_end(
      "Written by leukoscope predict. Self-contained: the thumbnails are embedded. Every cell, "
      "shown or not, is in predictions.csv and predictions.json beside this file.");
  return out.str();
}

}  // namespace leuko::report
