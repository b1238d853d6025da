import { join } from 'node:path';
import type { Calendar } from './calendar.js';
import {
  FINAL_STOCK_HEADER,
  InventoryWorld,
  LOST_DEMAND_HEADER,
  MOVEMENT_HEADER,
  REPLENISHMENT_HEADER,
  STOCK_LEVEL_HEADER,
  WAREHOUSE_HEADER,
} from './inventory.js';
import { CsvWriter } from './writer.js';

/** The inventory world of one run with its open files: raw tables and the truth under labels/. */
export interface OpenInventory {
  world: InventoryWorld;
  ready(): Promise<void>;
  /** Receives what is due, writes the final stock and closes every file; returns their paths. */
  close(): Promise<string[]>;
}

/** Opens the inventory files under `out` and starts the world at the calendar's start. */
export async function openInventory(
  out: string,
  cal: Calendar,
  ordersPerDay: number,
  seed: number,
  times: { format(t: number): string },
  customerId: (cust: number) => string,
): Promise<OpenInventory> {
  const writers = {
    warehouses: await CsvWriter.open(join(out, 'raw', 'warehouses', 'warehouses.csv'), WAREHOUSE_HEADER),
    levels: await CsvWriter.open(join(out, 'raw', 'stock_levels', 'stock_levels.csv'), STOCK_LEVEL_HEADER),
    movements: await CsvWriter.open(
      join(out, 'raw', 'stock_movements', 'stock_movements.csv'),
      MOVEMENT_HEADER,
    ),
    lost: await CsvWriter.open(join(out, 'labels', 'lost_demand.csv'), LOST_DEMAND_HEADER),
    replenishments: await CsvWriter.open(join(out, 'labels', 'replenishments.csv'), REPLENISHMENT_HEADER),
    finalStock: await CsvWriter.open(join(out, 'labels', 'stock_final.csv'), FINAL_STOCK_HEADER),
  };
  const all = Object.values(writers);
  const world = new InventoryWorld(cal.startSec, cal.endSec, ordersPerDay, seed, writers, times, customerId);
  return {
    world,
    ready: async () => {
      await Promise.all(all.map((w) => w.ready()));
    },
    close: async () => {
      world.finish();
      await Promise.all(all.map((w) => w.close()));
      return all.map((w) => w.path);
    },
  };
}
