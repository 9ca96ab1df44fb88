package dev.vecgrad.train.run;

import dev.vecgrad.autograd.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Per-layer training statistics: gradient norms and update/weight ratios, grouped by the layer a
 * parameter belongs to ({@code transformer.h.3} for a block, {@code transformer.wte} for the
 * embedding, ...). A healthy update/weight ratio is around 1e-3 (Karpathy's rule of thumb).
 */
final class LayerStats {
    private LayerStats() {}

    /** The layer a parameter name belongs to: the block prefix, or the name minus its last part. */
    static String layerOf(String name) {
        String[] parts = name.split("\\.");
        if (parts.length >= 3 && parts[1].equals("h")) return parts[0] + "." + parts[1] + "." + parts[2];
        int dot = name.lastIndexOf('.');
        return dot < 0 ? name : name.substring(0, dot);
    }

    /** {layer: [gradient norm, NaN]} for the current gradients. */
    static Map<String, double[]> gradNorms(Map<String, Tensor> params) {
        Map<String, double[]> out = new LinkedHashMap<>();
        for (var e : params.entrySet()) {
            double[] v = out.computeIfAbsent(layerOf(e.getKey()), k -> new double[] {0, Double.NaN});
            Tensor g = e.getValue().grad();
            if (g == null) continue;
            for (float x : g.toArray()) v[0] += (double) x * x;
        }
        out.values().forEach(v -> v[0] = Math.sqrt(v[0]));
        return out;
    }

    /** Copies of the weights before an update. */
    static Map<String, float[]> snapshot(Map<String, Tensor> params) {
        Map<String, float[]> out = new LinkedHashMap<>();
        params.forEach((n, t) -> out.put(n, t.toArray()));
        return out;
    }

    /** Fills slot 1 of each layer with |w_after - w_before| / |w_before|. */
    static void updateRatios(Map<String, double[]> layers, Map<String, Tensor> params, Map<String, float[]> before) {
        Map<String, double[]> acc = new LinkedHashMap<>();
        for (var e : params.entrySet()) {
            double[] a = acc.computeIfAbsent(layerOf(e.getKey()), k -> new double[2]);
            float[] now = e.getValue().toArray(), was = before.get(e.getKey());
            for (int i = 0; i < now.length; i++) {
                double d = now[i] - was[i];
                a[0] += d * d;
                a[1] += (double) was[i] * was[i];
            }
        }
        acc.forEach((layer, a) -> layers.get(layer)[1] = a[1] == 0 ? Double.NaN : Math.sqrt(a[0] / a[1]));
    }
}
