#include "workloads/gen/kernel_image.h"

#include <algorithm>
#include <cstring>
#include <random>
#include <stdexcept>

#include "workloads/gen/distributions.h"
#include "workloads/ref/ops.h"

namespace nvr::gen {

using npu_ref::matrix;
using npu_ref::matrix_i32;
using npu_ref::matrix_i8;

image_builder::image_builder(std::uint32_t seed)
    : m_seed(seed), m_blobs(KIMG_ALIGN, 0), m_case_start(m_blobs.size()) {}

std::uint32_t image_builder::blob(const void* data, std::size_t bytes) {
  const std::size_t offset = m_blobs.size();
  m_blobs.resize(offset + (bytes + KIMG_ALIGN - 1) / KIMG_ALIGN * KIMG_ALIGN, 0);
  if (bytes != 0 && data != nullptr) std::memcpy(m_blobs.data() + offset, data, bytes);
  if (m_blobs.size() > KIMG_MAX_BYTES) throw std::length_error("kernel image larger than KIMG_MAX_BYTES");
  return static_cast<std::uint32_t>(offset);
}

std::uint32_t image_builder::reserve(std::size_t bytes) { return blob(nullptr, bytes); }

void image_builder::add_case(const kimg_case& c) {
  const std::string name(c.name, strnlen(c.name, sizeof c.name));
  m_names.push_back(name);
  if (wanted(name))
    m_cases.push_back(c);
  else
    m_blobs.resize(m_case_start);  // a set with one random stream generates every case, keeps some
  m_case_start = m_blobs.size();
}

void image_builder::select(std::set<std::string> names) { m_selected = std::move(names); }

bool image_builder::wanted(const std::string& name) const {
  return !m_list_only && (!m_selected || m_selected->count(name) != 0);
}

std::vector<std::uint8_t> image_builder::finish() const {
  const std::size_t table = sizeof(kimg_header);
  const std::size_t base =
      (table + m_cases.size() * sizeof(kimg_case) + KIMG_ALIGN - 1) / KIMG_ALIGN * KIMG_ALIGN;
  const std::size_t total = base + m_blobs.size();
  if (total > KIMG_MAX_BYTES) throw std::length_error("kernel image larger than KIMG_MAX_BYTES");
  std::vector<std::uint8_t> image(total, 0);
  kimg_header h{};
  h.magic = KIMG_MAGIC;
  h.version = KIMG_VERSION;
  h.case_count = static_cast<std::uint32_t>(m_cases.size());
  h.image_bytes = static_cast<std::uint32_t>(total);
  h.case_table = static_cast<std::uint32_t>(table);
  h.seed = m_seed;
  std::memcpy(image.data(), &h, sizeof h);
  auto rebase = [&](std::uint32_t& offset) {
    if (offset != 0) offset += static_cast<std::uint32_t>(base);
  };
  for (std::size_t i = 0; i < m_cases.size(); ++i) {
    kimg_case c = m_cases[i];
    for (auto& in : c.in) rebase(in);
    for (auto* offset : {&c.init, &c.out, &c.golden, &c.out2, &c.golden2}) rebase(*offset);
    std::memcpy(image.data() + table + i * sizeof c, &c, sizeof c);
  }
  std::copy(m_blobs.begin(), m_blobs.end(), image.begin() + static_cast<std::ptrdiff_t>(base));
  return image;
}

parsed_image parse_image(const std::vector<std::uint8_t>& image) {
  parsed_image p;
  if (image.size() < sizeof p.header) throw std::runtime_error("kernel image: shorter than its header");
  std::memcpy(&p.header, image.data(), sizeof p.header);
  if (p.header.magic != KIMG_MAGIC) throw std::runtime_error("kernel image: bad magic");
  if (p.header.version != KIMG_VERSION) throw std::runtime_error("kernel image: unknown version");
  if (p.header.image_bytes != image.size()) throw std::runtime_error("kernel image: size mismatch");
  const std::uint64_t table_end =
      std::uint64_t{p.header.case_table} + std::uint64_t{p.header.case_count} * sizeof(kimg_case);
  if (table_end > image.size()) throw std::runtime_error("kernel image: case table outside the image");
  p.cases.resize(p.header.case_count);
  for (std::size_t i = 0; i < p.cases.size(); ++i)
    std::memcpy(&p.cases[i], image.data() + p.header.case_table + i * sizeof(kimg_case), sizeof(kimg_case));
  return p;
}

namespace {

// A case under construction: name and kind, filled in by the generators below.
kimg_case make_case(std::uint32_t kind, const std::string& name) {
  kimg_case c{};
  c.kind = kind;
  if (name.size() >= sizeof c.name) throw std::invalid_argument("case name too long: " + name);
  std::memcpy(c.name, name.c_str(), name.size());
  return c;
}

template <typename T>
matrix<T> random_matrix(std::size_t rows, std::size_t cols, int lo, int hi, std::mt19937& rng) {
  std::uniform_int_distribution<int> d(lo, hi);
  matrix<T> m(rows, cols);
  for (auto& x : m.data) x = static_cast<T>(d(rng));
  return m;
}

template <typename T>
std::uint32_t put(image_builder& b, const std::vector<T>& v) {
  return b.blob(v.data(), v.size() * sizeof(T));
}

void set_output(image_builder& b, kimg_case& c, const void* golden, std::size_t bytes) {
  c.out = b.reserve(bytes);
  c.golden = b.blob(golden, bytes);
  c.out_bytes = static_cast<std::uint32_t>(bytes);
}

void set_output2(image_builder& b, kimg_case& c, const void* golden, std::size_t bytes) {
  c.out2 = b.reserve(bytes);
  c.golden2 = b.blob(golden, bytes);
  c.out2_bytes = static_cast<std::uint32_t>(bytes);
}

void set_requant(kimg_case& c, bool raw, const npu_ref::store_config& q) {
  c.param[0] = raw ? 1 : 0;
  c.param[1] = q.multiplier;
  c.param[2] = static_cast<std::int32_t>(q.shift);
  c.param[3] = q.zero_point;
  c.param[4] = q.clip_min;
  c.param[5] = q.clip_max;
}

// The int32 result stored raw or requantised to int8, as the golden bytes.
void set_gemm_output(image_builder& b, kimg_case& c, const matrix_i32& acc, bool raw,
                     const npu_ref::store_config& q) {
  if (raw) {
    set_output(b, c, acc.data.data(), acc.data.size() * 4);
  } else {
    const matrix_i8 out = npu_ref::requant(acc, q);
    set_output(b, c, out.data.data(), out.data.size());
  }
}

matrix_i32 with_bias(std::size_t rows, const std::vector<std::int32_t>& bias) {
  matrix_i32 c0(rows, bias.size());
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t n = 0; n < bias.size(); ++n) c0(r, n) = bias[n];
  return c0;
}

void gemm_case(image_builder& b, std::mt19937& rng, const std::string& name, std::size_t m, std::size_t k,
               std::size_t n, bool int4, bool bias, bool raw, const npu_ref::store_config& q) {
  kimg_case c = make_case(int4 ? KIMG_GEMM_INT4 : KIMG_GEMM, name);
  c.dim[0] = static_cast<std::uint32_t>(m);
  c.dim[1] = static_cast<std::uint32_t>(k);
  c.dim[2] = static_cast<std::uint32_t>(n);
  const int lo = int4 ? -8 : -128, hi = int4 ? 7 : 127;
  const matrix_i8 a = random_matrix<std::int8_t>(m, k, lo, hi, rng);
  const matrix_i8 bm = random_matrix<std::int8_t>(k, n, lo, hi, rng);
  std::vector<std::int32_t> bias_values;
  if (bias) bias_values = random_matrix<std::int32_t>(1, n, -5000, 5000, rng).data;
  const matrix_i32 c0 = with_bias(m, bias_values);
  const matrix_i32 acc = npu_ref::gemm(a, bm, bias ? &c0 : nullptr);
  if (int4) {
    // A: rows of ceil(k/2) bytes; B: ceil(k/2) rows of n bytes holding K-row pairs; odd k pads 0.
    const std::size_t kb = (k + 1) / 2;
    std::vector<std::uint8_t> pa(m * kb), pb(kb * n);
    auto at = [&](const matrix_i8& x, std::size_t r, std::size_t col) {
      return r < x.rows && col < x.cols ? x(r, col) : 0;
    };
    for (std::size_t r = 0; r < m; ++r)
      for (std::size_t j = 0; j < kb; ++j)
        pa[r * kb + j] = npu_ref::int4_pack(at(a, r, 2 * j), at(a, r, 2 * j + 1));
    for (std::size_t j = 0; j < kb; ++j)
      for (std::size_t col = 0; col < n; ++col)
        pb[j * n + col] = npu_ref::int4_pack(at(bm, 2 * j, col), at(bm, 2 * j + 1, col));
    c.in[0] = put(b, pa);
    c.in[1] = put(b, pb);
  } else {
    c.in[0] = put(b, a.data);
    c.in[1] = put(b, bm.data);
  }
  if (bias) c.in[2] = put(b, bias_values);
  set_requant(c, raw, q);
  set_gemm_output(b, c, acc, raw, q);
  b.add_case(c);
}

void conv_case(image_builder& b, std::mt19937& rng, const std::string& name, std::size_t h, std::size_t w,
               std::size_t ch, std::size_t oc, std::size_t kh, std::size_t kw, std::size_t stride,
               std::size_t pad, bool bias, bool raw, const npu_ref::store_config& q) {
  kimg_case c = make_case(KIMG_CONV2D, name);
  const std::size_t dims[] = {h, w, ch, oc, kh, kw, stride, pad};
  for (std::size_t i = 0; i < 8; ++i) c.dim[i] = static_cast<std::uint32_t>(dims[i]);
  const std::size_t oh = (h + 2 * pad - kh) / stride + 1, ow = (w + 2 * pad - kw) / stride + 1;
  const matrix_i8 in = random_matrix<std::int8_t>(h * w, ch, -128, 127, rng);         // [h][w][c]
  const matrix_i8 wt = random_matrix<std::int8_t>(kh * kw * ch, oc, -128, 127, rng);  // [kh][kw][c][oc]
  std::vector<std::int32_t> bias_values(oc, 0);
  if (bias) bias_values = random_matrix<std::int32_t>(1, oc, -20000, 20000, rng).data;
  // Direct convolution, wrapping int32 accumulation as the NPU does.
  matrix_i32 acc(oh * ow, oc);
  for (std::size_t y = 0; y < oh; ++y)
    for (std::size_t x = 0; x < ow; ++x)
      for (std::size_t o = 0; o < oc; ++o) {
        std::uint32_t sum = static_cast<std::uint32_t>(bias_values[o]);
        for (std::size_t i = 0; i < kh; ++i)
          for (std::size_t j = 0; j < kw; ++j) {
            const long iy = static_cast<long>(y * stride + i) - static_cast<long>(pad);
            const long ix = static_cast<long>(x * stride + j) - static_cast<long>(pad);
            if (iy < 0 || ix < 0 || iy >= static_cast<long>(h) || ix >= static_cast<long>(w)) continue;
            for (std::size_t k = 0; k < ch; ++k)
              sum += static_cast<std::uint32_t>(
                  in(static_cast<std::size_t>(iy) * w + static_cast<std::size_t>(ix), k) *
                  wt((i * kw + j) * ch + k, o));
          }
        acc(y * ow + x, o) = static_cast<std::int32_t>(sum);
      }
  c.in[0] = put(b, in.data);
  c.in[1] = put(b, wt.data);
  if (bias) c.in[2] = put(b, bias_values);
  set_requant(c, raw, q);
  set_gemm_output(b, c, acc, raw, q);
  b.add_case(c);
}

// A random CSR at 1/inverse_density with uneven rows: some empty, one full, some at 4x density.
npu_ref::csr uneven_csr(std::size_t rows, std::size_t cols, std::uint32_t inverse_density,
                        std::mt19937& rng) {
  matrix_i8 dense = npu_ref::dense_from_csr(npu_ref::random_csr(rows, cols, inverse_density, rng));
  std::uniform_int_distribution<int> value(1, 127), col(0, static_cast<int>(cols) - 1);
  for (std::size_t r = 0; r < rows; ++r) {
    if (r % 7 == 3) std::fill_n(&dense(r, 0), cols, std::int8_t{0});  // empty rows
    if (r % 11 == 5)                                                  // heavier rows
      for (std::size_t extra = 0; extra < 3 * cols / inverse_density + 1; ++extra)
        dense(r, static_cast<std::size_t>(col(rng))) =
            static_cast<std::int8_t>(value(rng) * (extra % 2 ? -1 : 1));
  }
  if (rows > 1)
    for (std::size_t j = 0; j < cols; ++j)
      dense(1, j) = static_cast<std::int8_t>(value(rng));  // one full row
  return npu_ref::csr_from_dense(dense);
}

void put_csr(image_builder& b, kimg_case& c, const npu_ref::csr& a) {
  c.in[0] = put(b, a.row_ptr);
  c.in[1] = put(b, a.col_idx);
  c.in[2] = put(b, a.values);
}

// The SpMM case of A (CSR) times B, its output raw int32 or requantised.
void spmm_of(image_builder& b, kimg_case& c, const npu_ref::csr& a, const matrix_i8& bm, bool raw,
             const npu_ref::store_config& q) {
  c.dim[0] = static_cast<std::uint32_t>(a.rows);
  c.dim[1] = static_cast<std::uint32_t>(a.cols);
  c.dim[2] = static_cast<std::uint32_t>(bm.cols);
  put_csr(b, c, a);
  c.in[3] = put(b, bm.data);
  set_requant(c, raw, q);
  set_gemm_output(b, c, npu_ref::spmm(a, bm), raw, q);
  b.add_case(c);
}

void spmm_case(image_builder& b, std::mt19937& rng, const std::string& name, std::size_t rows, std::size_t k,
               std::size_t n, std::uint32_t inverse_density, bool raw, const npu_ref::store_config& q) {
  kimg_case c = make_case(KIMG_SPMM, name);
  const npu_ref::csr a = uneven_csr(rows, k, inverse_density, rng);
  const matrix_i8 bm = random_matrix<std::int8_t>(k, n, -128, 127, rng);
  spmm_of(b, c, a, bm, raw, q);
}

// The SpMV case y = A x, y int32.
void spmv_of(image_builder& b, kimg_case& c, const npu_ref::csr& a, const std::vector<std::int8_t>& x) {
  c.dim[0] = static_cast<std::uint32_t>(a.rows);
  c.dim[1] = static_cast<std::uint32_t>(a.cols);
  put_csr(b, c, a);
  c.in[3] = put(b, x);
  const std::vector<std::int32_t> y = npu_ref::spmv(a, x);
  set_output(b, c, y.data(), y.size() * 4);
  b.add_case(c);
}

void spmv_case(image_builder& b, std::mt19937& rng, const std::string& name, std::size_t rows, std::size_t k,
               std::uint32_t inverse_density) {
  kimg_case c = make_case(KIMG_SPMV, name);
  const npu_ref::csr a = uneven_csr(rows, k, inverse_density, rng);
  const std::vector<std::int8_t> x = random_matrix<std::int8_t>(1, k, -128, 127, rng).data;
  spmv_of(b, c, a, x);
}

std::vector<std::int32_t> random_index(std::size_t count, std::size_t table_rows, std::mt19937& rng) {
  std::uniform_int_distribution<std::int32_t> d(0, static_cast<std::int32_t>(table_rows) - 1);
  std::vector<std::int32_t> index(count);
  for (auto& x : index) x = d(rng);
  return index;
}

void gather_of(image_builder& b, kimg_case& c, const matrix_i8& table,
               const std::vector<std::int32_t>& index) {
  c.dim[0] = static_cast<std::uint32_t>(index.size());
  c.dim[1] = static_cast<std::uint32_t>(table.rows);
  c.dim[2] = static_cast<std::uint32_t>(table.cols);
  c.in[0] = put(b, index);
  c.in[1] = put(b, table.data);
  const matrix_i8 out = npu_ref::gather(table, index);
  set_output(b, c, out.data.data(), out.data.size());
  b.add_case(c);
}

void gather_case(image_builder& b, std::mt19937& rng, const std::string& name, std::size_t count,
                 std::size_t table_rows, std::size_t cols) {
  kimg_case c = make_case(KIMG_GATHER, name);
  const matrix_i8 table = random_matrix<std::int8_t>(table_rows, cols, -128, 127, rng);
  const std::vector<std::int32_t> index = random_index(count, table_rows, rng);
  gather_of(b, c, table, index);
}

void scatter_add_case(image_builder& b, std::mt19937& rng, const std::string& name, std::size_t count,
                      std::size_t table_rows, std::size_t cols) {
  kimg_case c = make_case(KIMG_SCATTER_ADD, name);
  c.dim[0] = static_cast<std::uint32_t>(count);
  c.dim[1] = static_cast<std::uint32_t>(table_rows);
  c.dim[2] = static_cast<std::uint32_t>(cols);
  matrix_i32 table = random_matrix<std::int32_t>(table_rows, cols, -100000, 100000, rng);
  const matrix_i32 src = random_matrix<std::int32_t>(count, cols, -100000, 100000, rng);
  // More indices than table rows: duplicates for certain; row 0 is hit several times on purpose.
  std::vector<std::int32_t> index = random_index(count, table_rows, rng);
  for (std::size_t i = 0; i < count; i += 5) index[i] = 0;
  c.in[0] = put(b, index);
  c.in[1] = put(b, src.data);
  c.init = put(b, table.data);
  npu_ref::scatter_add(table, index, src);
  set_output(b, c, table.data.data(), table.data.size() * 4);
  b.add_case(c);
}

void scatter_case(image_builder& b, std::mt19937& rng, const std::string& name, std::size_t count,
                  std::size_t table_rows, std::size_t cols) {
  kimg_case c = make_case(KIMG_SCATTER, name);
  c.dim[0] = static_cast<std::uint32_t>(count);
  c.dim[1] = static_cast<std::uint32_t>(table_rows);
  c.dim[2] = static_cast<std::uint32_t>(cols);
  matrix_i8 table = random_matrix<std::int8_t>(table_rows, cols, -128, 127, rng);
  const matrix_i8 src = random_matrix<std::int8_t>(count, cols, -128, 127, rng);
  std::vector<std::int32_t> index = random_index(count, table_rows, rng);  // duplicates: the last wins
  c.in[0] = put(b, index);
  c.in[1] = put(b, src.data);
  c.init = put(b, table.data);
  npu_ref::scatter(table, index, src);
  set_output(b, c, table.data.data(), table.data.size());
  b.add_case(c);
}

// Row and element-wise cases on an int32 matrix.
kimg_case vector_case(image_builder& b, std::uint32_t kind, const std::string& name, const matrix_i32& a) {
  kimg_case c = make_case(kind, name);
  c.dim[0] = static_cast<std::uint32_t>(a.rows);
  c.dim[1] = static_cast<std::uint32_t>(a.cols);
  c.in[0] = put(b, a.data);
  return c;
}

void standard_cases(image_builder& b) {
  std::mt19937 rng(b.seed());
  const npu_ref::store_config identity{};
  const npu_ref::store_config q_gemm{1717, 20, 3, -128, 127};
  const npu_ref::store_config q_relu{905, 18, -20, -20, 127};

  gemm_case(b, rng, "gemm_i8_37x50x29", 37, 50, 29, false, false, false, q_gemm);
  gemm_case(b, rng, "gemm_i8_37x50x29_raw_bias", 37, 50, 29, false, true, true, identity);
  gemm_case(b, rng, "gemm_i8_128x256x64", 128, 256, 64, false, true, false, q_gemm);
  gemm_case(b, rng, "gemm_i8_300x40x33", 300, 40, 33, false, false, false, q_relu);
  // K too long for A to stay resident (two A slots), a 4-row last row block, ragged K.
  gemm_case(b, rng, "gemm_i8_260x801x20", 260, 801, 20, false, false, true, identity);
  gemm_case(b, rng, "gemm_i4_45x77x40", 45, 77, 40, true, false, true, identity);
  gemm_case(b, rng, "gemm_i4_64x128x32", 64, 128, 32, true, true, false,
            npu_ref::store_config{3001, 16, 0, -128, 127});

  const npu_ref::store_config q_conv{1200, 22, -3, -128, 127};
  conv_case(b, rng, "conv3x3_p1_10x10x20x24", 10, 10, 20, 24, 3, 3, 1, 1, true, false, q_conv);
  conv_case(b, rng, "conv3x3_s2_p1_11x9x16x16", 11, 9, 16, 16, 3, 3, 2, 1, false, true, identity);
  // 576 pixels in tiles of 170: tiles start and end inside output rows.
  conv_case(b, rng, "conv3x3_p1_24x24x16x40", 24, 24, 16, 40, 3, 3, 1, 1, false, false, q_conv);
  conv_case(b, rng, "conv1x1_12x12x40x20", 12, 12, 40, 20, 1, 1, 1, 0, true, false, q_conv);
  conv_case(b, rng, "conv1x1_s2_9x9x32x16", 9, 9, 32, 16, 1, 1, 2, 0, false, true, identity);

  spmm_case(b, rng, "spmm_d4_70x96x40", 70, 96, 40, 4, true, identity);
  spmm_case(b, rng, "spmm_d64_600x512x24", 600, 512, 24, 64, false,
            npu_ref::store_config{77, 8, 0, -128, 127});
  spmm_case(b, rng, "spmm_d256_300x1024x32", 300, 1024, 32, 256, true, identity);
  spmv_case(b, rng, "spmv_d8_200x300", 200, 300, 8);
  gather_case(b, rng, "gather_100_of_64x40", 100, 64, 40);
  scatter_case(b, rng, "scatter_60_to_40x24", 60, 40, 24);
  scatter_add_case(b, rng, "scatter_add_90_to_30x20", 90, 30, 20);
  scatter_add_case(b, rng, "scatter_add_700_to_50x8", 700, 50, 8);

  {
    const matrix_i32 a = random_matrix<std::int32_t>(24, 100, -40000, 40000, rng);
    kimg_case c = vector_case(b, KIMG_SOFTMAX, "softmax_24x100", a);
    c.param[0] = 12;
    c.param[1] = 8;
    const matrix_i32 out = npu_ref::softmax_rows(a, 12, 8);
    set_output(b, c, out.data.data(), out.data.size() * 4);
    b.add_case(c);
  }
  {
    const matrix_i32 a = random_matrix<std::int32_t>(300, 64, -30000, 30000, rng);
    kimg_case c = vector_case(b, KIMG_RMSNORM, "rmsnorm_300x64", a);
    c.param[0] = 12;
    const matrix_i32 out = npu_ref::rmsnorm_rows(a, 12);
    set_output(b, c, out.data.data(), out.data.size() * 4);
    b.add_case(c);
  }
  {
    matrix_i32 a = random_matrix<std::int32_t>(40, 50, -1000000, 1000000, rng);
    std::fill_n(&a(7, 0), a.cols, 0);  // amax = 0
    kimg_case c = vector_case(b, KIMG_QUANT, "quant_40x50", a);
    const npu_ref::quant_rows_result out = npu_ref::quant_rows(a);
    set_output(b, c, out.q.data.data(), out.q.data.size());
    set_output2(b, c, out.amax.data(), out.amax.size() * 4);
    b.add_case(c);
  }
  {
    matrix_i32 a = random_matrix<std::int32_t>(37, 300, -50, 50, rng);  // ties: the first maximum
    kimg_case c = vector_case(b, KIMG_ARGMAX, "argmax_37x300", a);
    const std::vector<std::int32_t> out = npu_ref::argmax_rows(a);
    set_output(b, c, out.data(), out.size() * 4);
    b.add_case(c);
  }
  {
    const matrix_i32 a = random_matrix<std::int32_t>(33, 45, -80000, 80000, rng);
    kimg_case c = vector_case(b, KIMG_SILU, "silu_33x45", a);
    c.param[0] = 12;
    const matrix_i32 out = npu_ref::vector_elementwise(npu_ref::fn::silu, a, matrix_i32{}, false, 0, 12);
    set_output(b, c, out.data.data(), out.data.size() * 4);
    b.add_case(c);
  }
  {
    // The left 21x40 of a 21x52 matrix: strided rows take the per-row path.
    const matrix_i32 wide = random_matrix<std::int32_t>(21, 52, -80000, 80000, rng);
    matrix_i32 a(21, 40);
    for (std::size_t r = 0; r < a.rows; ++r)
      for (std::size_t col = 0; col < a.cols; ++col) a(r, col) = wide(r, col);
    kimg_case c = vector_case(b, KIMG_SILU, "silu_21x40_stride52", wide);
    c.dim[1] = 40;
    c.param[0] = 10;
    c.param[1] = 52;
    const matrix_i32 out = npu_ref::vector_elementwise(npu_ref::fn::silu, a, matrix_i32{}, false, 0, 10);
    set_output(b, c, out.data.data(), out.data.size() * 4);
    b.add_case(c);
  }
  {
    const matrix_i32 a = random_matrix<std::int32_t>(50, 20, -300000, 300000, rng);
    kimg_case c = vector_case(b, KIMG_REQUANT, "requant_relu_50x20", a);
    c.param[0] = 1234;
    c.param[1] = 20;
    c.param[2] = -5;
    c.param[3] = 1;
    const matrix_i32 out = npu_ref::vector_elementwise(npu_ref::fn::requant, a, matrix_i32{}, true,
                                                       npu_ref::flag::relu, 1234, 20, -5);
    std::vector<std::int8_t> bytes(out.data.begin(), out.data.end());
    set_output(b, c, bytes.data(), bytes.size());
    b.add_case(c);
  }
}

void large_cases(image_builder& b) {
  std::mt19937 rng(b.seed());
  const npu_ref::store_config q{1717, 24, 0, -128, 127};
  gemm_case(b, rng, "gemm_i8_512x512x512", 512, 512, 512, false, false, false, q);
  gemm_case(b, rng, "gemm_i4_512x512x512", 512, 512, 512, true, false, false, q);
  conv_case(b, rng, "conv3x3_p1_56x56x64x64", 56, 56, 64, 64, 3, 3, 1, 1, true, false, q);
  spmm_case(b, rng, "spmm_d64_2048x2048x128", 2048, 2048, 128, 64, true, npu_ref::store_config{});
  const matrix_i32 a = random_matrix<std::int32_t>(256, 1024, -40000, 40000, rng);
  kimg_case c = vector_case(b, KIMG_SOFTMAX, "softmax_256x1024", a);
  c.param[0] = 12;
  c.param[1] = 8;
  const matrix_i32 out = npu_ref::softmax_rows(a, 12, 8);
  set_output(b, c, out.data.data(), out.data.size() * 4);
  b.add_case(c);
}

// A generator of its own for each case of the sparse sets (FNV-1a of `key` with the seed), so a
// case is the same whether generated alone or with the whole set.
std::mt19937 case_rng(std::uint32_t seed, const std::string& key) {
  std::uint32_t hash = 2166136261u;
  for (const char ch : key) hash = (hash ^ static_cast<std::uint8_t>(ch)) * 16777619u;
  std::seed_seq seq{seed, hash};
  return std::mt19937(seq);
}

const char* token(column_distribution distribution) {
  return distribution == column_distribution::power_law ? "pl" : "uni";
}

// The name, and whether to generate it: a case the builder does not want is only named.
bool begin_sparse_case(image_builder& b, const std::string& name) {
  if (b.wanted(name)) return true;
  b.skip(name);
  return false;
}

// spmm_d<D>_<uni|pl>_<rows>x<k>x<n>, output requantised to int8 (acc / 1024, saturated: small
// stores beside the B traffic that matters). Row counts, values and B come from a
// generator without the distribution in its key: the uniform and power-law cases of one shape and
// density differ only in their columns.
void sparse_spmm_case(image_builder& b, std::size_t rows, std::size_t k, std::size_t n,
                      std::uint32_t inverse_density, column_distribution distribution) {
  const std::string shape = std::to_string(rows) + "x" + std::to_string(k) + "x" + std::to_string(n);
  const std::string kind = "spmm_d" + std::to_string(inverse_density);
  const std::string name = kind + "_" + token(distribution) + "_" + shape;
  if (!begin_sparse_case(b, name)) return;
  std::mt19937 structure = case_rng(b.seed(), kind + "_" + shape), columns = case_rng(b.seed(), name);
  kimg_case c = make_case(KIMG_SPMM, name);
  const npu_ref::csr a = sparse_csr(rows, k, inverse_density, distribution, structure, columns);
  const matrix_i8 bm = random_matrix<std::int8_t>(k, n, -128, 127, structure);
  spmm_of(b, c, a, bm, false, npu_ref::store_config{1, 10, 0, -128, 127});
}

// spmv_d<D>_<uni|pl>_<rows>x<k>.
void sparse_spmv_case(image_builder& b, std::size_t rows, std::size_t k, std::uint32_t inverse_density,
                      column_distribution distribution) {
  const std::string shape = std::to_string(rows) + "x" + std::to_string(k);
  const std::string kind = "spmv_d" + std::to_string(inverse_density);
  const std::string name = kind + "_" + token(distribution) + "_" + shape;
  if (!begin_sparse_case(b, name)) return;
  std::mt19937 structure = case_rng(b.seed(), kind + "_" + shape), columns = case_rng(b.seed(), name);
  kimg_case c = make_case(KIMG_SPMV, name);
  const npu_ref::csr a = sparse_csr(rows, k, inverse_density, distribution, structure, columns);
  spmv_of(b, c, a, random_matrix<std::int8_t>(1, k, -128, 127, structure).data);
}

// embed_<uni|pl>_<count>_of_<rows>x<cols>: an embedding lookup, `count` table rows gathered by
// indices drawn uniformly or from the Zipf distribution (with repeats: hot tokens recur).
void embedding_case(image_builder& b, std::size_t count, std::size_t table_rows, std::size_t cols,
                    column_distribution distribution) {
  const std::string shape =
      std::to_string(count) + "_of_" + std::to_string(table_rows) + "x" + std::to_string(cols);
  const std::string name = std::string("embed_") + token(distribution) + "_" + shape;
  if (!begin_sparse_case(b, name)) return;
  std::mt19937 structure = case_rng(b.seed(), "embed_" + shape), columns = case_rng(b.seed(), name);
  kimg_case c = make_case(KIMG_GATHER, name);
  const matrix_i8 table = random_matrix<std::int8_t>(table_rows, cols, -128, 127, structure);
  std::vector<std::int32_t> index;
  if (distribution == column_distribution::power_law) {
    const zipf_sampler zipf(table_rows, zipf_exponent, columns);
    index.resize(count);
    for (auto& x : index) x = static_cast<std::int32_t>(zipf(columns));
  } else {
    index = random_index(count, table_rows, columns);
  }
  gather_of(b, c, table, index);
}

constexpr std::uint32_t sparse_densities[] = {16, 32, 64, 128, 256};
constexpr column_distribution distributions[] = {column_distribution::uniform,
                                                 column_distribution::power_law};

void sparse_cases(image_builder& b) {
  for (const std::uint32_t d : sparse_densities)
    for (const column_distribution dist : distributions) sparse_spmm_case(b, 2048, 2048, 128, d, dist);
  for (const std::uint32_t d : sparse_densities)
    for (const column_distribution dist : distributions) sparse_spmv_case(b, 256, 65536, d, dist);
  for (const column_distribution dist : distributions) embedding_case(b, 16384, 32768, 16, dist);
}

void sparse_small_cases(image_builder& b) {
  for (const column_distribution dist : distributions) {
    sparse_spmm_case(b, 128, 1024, 32, 16, dist);
    sparse_spmm_case(b, 256, 2048, 16, 64, dist);
    sparse_spmv_case(b, 64, 32768, 32, dist);
    embedding_case(b, 512, 4096, 16, dist);
  }
}

void build(case_set set, image_builder& b) {
  switch (set) {
    case case_set::standard:
      return standard_cases(b);
    case case_set::large:
      return large_cases(b);
    case case_set::sparse:
      return sparse_cases(b);
    case case_set::sparse_small:
      return sparse_small_cases(b);
  }
}

}  // namespace

std::optional<case_set> case_set_from_name(const std::string& name) {
  for (const case_set set : {case_set::standard, case_set::large, case_set::sparse, case_set::sparse_small})
    if (to_string(set) == name) return set;
  return std::nullopt;
}

std::string to_string(case_set set) {
  switch (set) {
    case case_set::standard:
      return "standard";
    case case_set::large:
      return "large";
    case case_set::sparse:
      return "sparse";
    case case_set::sparse_small:
      return "sparse-small";
  }
  return "?";
}

std::vector<std::string> case_names(case_set set, std::uint32_t seed) {
  image_builder b(seed);
  b.list_only();
  build(set, b);
  return b.names();
}

std::vector<std::uint8_t> make_image(case_set set, std::uint32_t seed, const std::set<std::string>& only) {
  image_builder b(seed);
  if (!only.empty()) {
    // Unknown names first, before generating anything.
    const std::vector<std::string> names = case_names(set, seed);
    for (const std::string& name : only)
      if (std::find(names.begin(), names.end(), name) == names.end())
        throw std::invalid_argument("no case '" + name + "' in set " + to_string(set));
    b.select(only);
  }
  build(set, b);
  return b.finish();
}

std::vector<std::uint8_t> standard_image(std::uint32_t seed) { return make_image(case_set::standard, seed); }
std::vector<std::uint8_t> large_image(std::uint32_t seed) { return make_image(case_set::large, seed); }
std::vector<std::uint8_t> sparse_image(std::uint32_t seed) { return make_image(case_set::sparse, seed); }
std::vector<std::uint8_t> sparse_small_image(std::uint32_t seed) {
  return make_image(case_set::sparse_small, seed);
}

}  // namespace nvr::gen
