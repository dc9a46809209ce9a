// Stride detector (SD) of the NVR core: nvr::runahead::stride_detector (ip/nvr/detectors.h/.cpp)
// in RTL, bit for bit. ENTRIES entries, LRU (nvr_lru); an entry holds its key, last value, stride,
// two 2-bit confidences (stride repeats; predictions that came true), the seen bit and the last
// prediction. A different stride lowers the confidence and replaces the stride only at 0.
//
// Interface: at most one observation per cycle (obs_valid, key, value); the next cycle the out_*
// registers hold the observed entry after its update (what observe() returns), out_hit whether the
// key was in the table before. Values are two's complement VALUE_W bits (64: the C++ int64_t).
module nvr_stride_detector #(
    parameter int ENTRIES = 16,
    parameter int KEY_W = 64,
    parameter int VALUE_W = 64,
    localparam int IdxW = ENTRIES > 1 ? $clog2(ENTRIES) : 1,
    localparam int OccW = $clog2(ENTRIES + 1)
) (
    input  logic               clk,
    input  logic               rst_n,
    input  logic               clear,                    // reset(): every entry invalid
    input  logic               obs_valid,
    input  logic [  KEY_W-1:0] obs_key,
    input  logic [VALUE_W-1:0] obs_value,
    output logic               out_valid,                // an observation was taken last cycle
    output logic               out_hit,                  // its key was in the table
    output logic [   IdxW-1:0] out_index,                // the entry it trained
    output logic               out_seen,
    output logic [VALUE_W-1:0] out_last,
    output logic [VALUE_W-1:0] out_stride,
    output logic [        1:0] out_confidence,
    output logic [        1:0] out_prefetch_confidence,
    output logic [VALUE_W-1:0] out_last_prediction,
    output logic               out_confident,            // predict(): seen and confidence >= 2
    output logic [   OccW-1:0] occupancy,                // valid entries
    // find(): a read of the entry of look_key, no update (the NVR core's prediction)
    input  logic [  KEY_W-1:0] look_key,
    output logic               look_hit,
    output logic [   IdxW-1:0] look_index,
    output logic [VALUE_W-1:0] look_stride,
    output logic               look_confident            // confident(): seen and confidence >= 2
);
  import nvr_pkg::*;
  logic [ENTRIES-1:0] valid_q;
  logic [KEY_W-1:0] key_q[ENTRIES];
  logic [VALUE_W-1:0] last_q[ENTRIES], stride_q[ENTRIES], prediction_q[ENTRIES];
  logic [1:0] conf_q[ENTRIES], pconf_q[ENTRIES];
  logic [ENTRIES-1:0] seen_q;

  // ---- lookup: the matching entry, else the LRU victim (reinitialised) ----
  logic hit;
  logic [IdxW-1:0] hit_idx, sel;
  nvr_table_select #(.ENTRIES(ENTRIES), .KEY_W(KEY_W)) table_select (
      .clk,
      .rst_n,
      .clear,
      .obs_valid,
      .obs_key,
      .valid(valid_q),
      .keys(key_q),
      .hit,
      .hit_idx,
      .sel
  );

  // ---- the entry's next state (observe()) ----
  logic n_seen;
  logic [VALUE_W-1:0] n_last, n_stride, n_prediction, delta;
  logic [1:0] n_conf, n_pconf;
  always_comb begin
    // A miss starts from a fresh entry: only the value is recorded.
    n_seen = 1'b0;
    n_stride = '0;
    n_conf = '0;
    n_pconf = '0;
    n_prediction = '0;
    n_last = obs_value;
    delta = obs_value - last_q[hit_idx];
    if (hit) begin
      n_seen = 1'b1;
      n_stride = stride_q[hit_idx];
      n_conf = conf_q[hit_idx];
      n_pconf = pconf_q[hit_idx];
      if (!seen_q[hit_idx]) begin
        n_stride = delta;
      end else begin
        n_pconf = obs_value == prediction_q[hit_idx] ? up(n_pconf) : down(n_pconf);
        if (delta == stride_q[hit_idx]) begin
          n_conf = up(n_conf);
        end else begin
          n_conf = down(n_conf);
          if (n_conf == 2'd0) n_stride = delta;
        end
      end
      n_prediction = obs_value + n_stride;
    end
  end

  always_ff @(posedge clk) begin
    if (!rst_n || clear) begin
      valid_q <= '0;
      seen_q <= '0;
      out_valid <= 1'b0;
    end else begin
      out_valid <= obs_valid;
      if (obs_valid) begin
        valid_q[sel] <= 1'b1;
        key_q[sel] <= obs_key;
        seen_q[sel] <= n_seen;
        last_q[sel] <= n_last;
        stride_q[sel] <= n_stride;
        conf_q[sel] <= n_conf;
        pconf_q[sel] <= n_pconf;
        prediction_q[sel] <= n_prediction;
      end
    end
  end

  // The observed entry, registered beside the table.
  always_ff @(posedge clk) begin
    if (obs_valid) begin
      out_hit <= hit;
      out_index <= sel;
      out_seen <= n_seen;
      out_last <= n_last;
      out_stride <= n_stride;
      out_confidence <= n_conf;
      out_prefetch_confidence <= n_pconf;
      out_last_prediction <= n_prediction;
      out_confident <= n_seen && n_conf >= 2'd2;
    end
  end

  always_comb begin
    look_hit = 1'b0;
    look_index = '0;
    for (int i = 0; i < ENTRIES; i++)
      if (!look_hit && valid_q[i] && key_q[i] == look_key) begin
        look_hit = 1'b1;
        look_index = IdxW'(i);
      end
    look_stride = stride_q[look_index];
    look_confident = look_hit && seen_q[look_index] && conf_q[look_index] >= 2'd2;
  end

  always_comb begin
    occupancy = '0;
    for (int i = 0; i < ENTRIES; i++) occupancy = occupancy + OccW'(valid_q[i]);
  end
endmodule
