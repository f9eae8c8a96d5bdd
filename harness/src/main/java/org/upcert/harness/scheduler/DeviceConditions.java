package org.upcert.harness.scheduler;

import java.util.Optional;
import org.upcert.harness.plan.SystemPolicy;

/**
 * The device state the scheduler and the uploader consult. The fault engine changes it; without
 * faults the device is on unmetered Wi-Fi, charging, cool.
 */
public final class DeviceConditions {

    /** {@code ProcessInfo.ThermalState}. */
    public enum Thermal { NOMINAL, FAIR, SERIOUS, CRITICAL }

    /**
     * Below this battery level, on battery, discretionary background work waits (the level at
     * which iOS offers Low Power Mode; the reference gives no figure, upcert decides).
     */
    public static final int LOW_BATTERY_PERCENT = 20;

    private boolean networkUp = true;
    private boolean expensiveNetwork;
    private boolean lowPowerMode;
    private boolean charging = true;
    private Thermal thermal = Thermal.NOMINAL;
    private int batteryPercent = 80;
    private long latencyOverrideMs = -1;
    private boolean expensiveOptionExists = true;

    /** {@code preventsExpensiveNetworkAccess} exists only from iOS 27; before, expensive networks are used. */
    public void setExpensiveOptionExists(boolean exists) {
        this.expensiveOptionExists = exists;
    }
    private long uplinkOverrideKbps = -1;

    /** One-way latency now: the policy's, unless a degraded-network fault overrides it. */
    public long latencyMs(SystemPolicy policy) {
        return latencyOverrideMs >= 0 ? latencyOverrideMs : policy.latencyMs();
    }

    /** Uplink bandwidth now, kbit/s: the policy's, unless a degraded-network fault overrides it. */
    public long uplinkKbps(SystemPolicy policy) {
        return uplinkOverrideKbps > 0 ? uplinkOverrideKbps : policy.uplinkKbps();
    }

    /** Overrides latency and bandwidth; negative values restore the policy's. */
    public void setNetworkQuality(long latencyMs, long uplinkKbps) {
        this.latencyOverrideMs = latencyMs;
        this.uplinkOverrideKbps = uplinkKbps;
    }

    public boolean networkUp() {
        return networkUp;
    }

    public void setNetworkUp(boolean up) {
        this.networkUp = up;
    }

    public boolean expensiveNetwork() {
        return expensiveNetwork;
    }

    public void setExpensiveNetwork(boolean expensive) {
        this.expensiveNetwork = expensive;
    }

    public boolean lowPowerMode() {
        return lowPowerMode;
    }

    public void setLowPowerMode(boolean on) {
        this.lowPowerMode = on;
    }

    public boolean charging() {
        return charging;
    }

    public void setCharging(boolean on) {
        this.charging = on;
    }

    public Thermal thermal() {
        return thermal;
    }

    public void setThermal(Thermal state) {
        this.thermal = state;
    }

    public int batteryPercent() {
        return batteryPercent;
    }

    public void setBatteryPercent(int percent) {
        this.batteryPercent = Math.max(0, Math.min(100, percent));
    }

    /**
     * Why background work (calls and transfers) is withheld now, or empty if it may run. Like the
     * real system: no network; only an expensive network when the options forbid it; Low Power
     * Mode on battery; a low battery while unplugged; serious or critical thermal pressure.
     */
    public Optional<String> withheldBecause(SystemPolicy policy) {
        if (!networkUp) {
            return Optional.of("offline");
        }
        if (expensiveNetwork && policy.preventsExpensiveNetworkAccess() && expensiveOptionExists) {
            return Optional.of("expensive-network");
        }
        if (lowPowerMode && !charging) {
            return Optional.of("low-power");
        }
        if (!charging && batteryPercent < LOW_BATTERY_PERCENT) {
            return Optional.of("low-battery");
        }
        if (thermal == Thermal.SERIOUS || thermal == Thermal.CRITICAL) {
            return Optional.of("thermal-" + thermal.name().toLowerCase(java.util.Locale.ROOT));
        }
        return Optional.empty();
    }
}
