// Loop bound detector (LBD) of the NVR core: nvr::runahead::loop_bound_detector
// (ip/nvr/detectors.h/.cpp) in RTL, bit for bit. ENTRIES entries, LRU (nvr_lru); an entry holds
// its key, the start of the current run and how it moved from the previous run, the increment,
// a 9-bit iteration counter, a 9-bit EWMA of the trip counts (weight 1/4, the first trip sets it)
// and a 2-bit confidence (runs whose trip count equalled the EWMA). A value `increment` after the
// last continues the run; anything else ends it.
//
// Interface as nvr_stride_detector: one observation per cycle in, the observed entry after its
// update registered out. out_trip_valid is trip_count() (confidence >= 2, EWMA not 0);
// out_wraps is wraps_after(key, out_iteration): the next value starts a new run.
module nvr_loop_bound_detector #(
    parameter int ENTRIES = 16,
    parameter int KEY_W = 64,
    parameter int VALUE_W = 64,
    localparam int IdxW = ENTRIES > 1 ? $clog2(ENTRIES) : 1,
    localparam int OccW = $clog2(ENTRIES + 1)
) (
    input  logic               clk,
    input  logic               rst_n,
    input  logic               clear,            // reset(): every entry invalid
    input  logic               obs_valid,
    input  logic [  KEY_W-1:0] obs_key,
    input  logic [VALUE_W-1:0] obs_value,
    output logic               out_valid,        // an observation was taken last cycle
    output logic               out_hit,          // its key was in the table
    output logic [   IdxW-1:0] out_index,        // the entry it trained
    output logic               out_seen,
    output logic [VALUE_W-1:0] out_last,
    output logic [VALUE_W-1:0] out_start,
    output logic [VALUE_W-1:0] out_start_delta,
    output logic [VALUE_W-1:0] out_increment,
    output logic [        8:0] out_iteration,
    output logic [        8:0] out_ewma,
    output logic [        1:0] out_confidence,
    output logic               out_trip_valid,
    output logic               out_wraps,
    output logic [   OccW-1:0] occupancy,        // valid entries
    // find(): a read of the entry of look_key, no update (the NVR core's prediction)
    input  logic [  KEY_W-1:0] look_key,
    output logic               look_hit,
    output logic [VALUE_W-1:0] look_start,
    output logic [VALUE_W-1:0] look_start_delta,
    output logic [        8:0] look_iteration,
    output logic               look_trip_valid,  // trip_count(): confidence >= 2 and EWMA > 0
    output logic [        8:0] look_trip
);
  import nvr_pkg::*;
  localparam logic [8:0] MaxCount = 9'd511;

  logic [ENTRIES-1:0] valid_q, seen_q;
  logic [KEY_W-1:0] key_q[ENTRIES];
  logic [VALUE_W-1:0] last_q[ENTRIES], start_q[ENTRIES], start_delta_q[ENTRIES], increment_q[ENTRIES];
  logic [8:0] iteration_q[ENTRIES], ewma_q[ENTRIES];
  logic [1:0] conf_q[ENTRIES];

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

  // min(count + 1, 511)
  function automatic logic [8:0] saturating_next(logic [8:0] count);
    return count == MaxCount ? MaxCount : count + 9'd1;
  endfunction

  // ---- the entry's next state (observe()) ----
  logic n_seen;
  logic [VALUE_W-1:0] n_start, n_start_delta, n_increment, delta;
  logic [8:0] n_iteration, n_ewma, trip;
  // 3 * ewma + trip + 2 <= 2046, so the quotient by 4 fits 9 bits and the C++ min(..., 511) is
  // always the quotient.
  logic [10:0] blended;
  logic [1:0] unused_remainder;
  logic [1:0] n_conf;
  always_comb begin
    // A miss starts a fresh entry at this value.
    n_seen = 1'b0;
    n_start = obs_value;
    n_start_delta = '0;
    n_increment = '0;
    n_iteration = '0;
    n_ewma = '0;
    n_conf = '0;
    delta = obs_value - last_q[hit_idx];
    trip = saturating_next(iteration_q[hit_idx]);
    blended = 11'd3 * {2'b0, ewma_q[hit_idx]} + {2'b0, trip} + 11'd2;
    unused_remainder = blended[1:0];
    if (hit) begin
      n_seen = 1'b1;
      n_start = start_q[hit_idx];
      n_start_delta = start_delta_q[hit_idx];
      n_increment = increment_q[hit_idx];
      n_iteration = iteration_q[hit_idx];
      n_ewma = ewma_q[hit_idx];
      n_conf = conf_q[hit_idx];
      if (!seen_q[hit_idx]) begin
        n_increment = delta;
        n_iteration = 9'd1;
      end else if (delta == increment_q[hit_idx]) begin
        n_iteration = trip;
      end else begin
        // The run ended after iteration + 1 values: its trip count enters the EWMA.
        if (ewma_q[hit_idx] == 9'd0) n_ewma = trip;
        else n_ewma = blended[10:2];
        // The rounding can stall one short of a new trip count: then move one step toward it.
        if (ewma_q[hit_idx] != 9'd0 && n_ewma == ewma_q[hit_idx] && trip != ewma_q[hit_idx])
          n_ewma = trip > ewma_q[hit_idx] ? ewma_q[hit_idx] + 9'd1 : ewma_q[hit_idx] - 9'd1;
        n_conf = trip == n_ewma ? up(n_conf) : down(n_conf);
        n_start_delta = obs_value - start_q[hit_idx];
        n_start = obs_value;
        n_iteration = '0;
      end
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
        last_q[sel] <= obs_value;
        start_q[sel] <= n_start;
        start_delta_q[sel] <= n_start_delta;
        increment_q[sel] <= n_increment;
        iteration_q[sel] <= n_iteration;
        ewma_q[sel] <= n_ewma;
        conf_q[sel] <= n_conf;
      end
    end
  end

  always_ff @(posedge clk) begin
    if (obs_valid) begin
      out_hit <= hit;
      out_index <= sel;
      out_seen <= n_seen;
      out_last <= obs_value;
      out_start <= n_start;
      out_start_delta <= n_start_delta;
      out_increment <= n_increment;
      out_iteration <= n_iteration;
      out_ewma <= n_ewma;
      out_confidence <= n_conf;
      out_trip_valid <= n_conf >= 2'd2 && n_ewma != 9'd0;
      // iteration + 1 >= trip, in 10 bits so 511 + 1 does not wrap
      out_wraps <= n_conf >= 2'd2 && n_ewma != 9'd0 && {1'b0, n_iteration} + 10'd1 >= {1'b0, n_ewma};
    end
  end

  logic [IdxW-1:0] look_index;
  always_comb begin
    look_hit = 1'b0;
    look_index = '0;
    for (int i = 0; i < ENTRIES; i++)
      if (!look_hit && valid_q[i] && key_q[i] == look_key) begin
        look_hit = 1'b1;
        look_index = IdxW'(i);
      end
    look_start = start_q[look_index];
    look_start_delta = start_delta_q[look_index];
    look_iteration = iteration_q[look_index];
    look_trip = ewma_q[look_index];
    look_trip_valid = look_hit && conf_q[look_index] >= 2'd2 && ewma_q[look_index] != 9'd0;
  end

  always_comb begin
    occupancy = '0;
    for (int i = 0; i < ENTRIES; i++) occupancy = occupancy + OccW'(valid_q[i]);
  end
endmodule
