import { DataSource } from 'typeorm';

export interface ChannelChoice {
  kind: string;
  channels: string[];
}

/** Each user's channels per notification kind (only the kinds they chose; the rest follow the defaults) and time zone. */
export class NotificationPreferenceRepository {
  constructor(private readonly dataSource: DataSource) {}

  async choicesOf(userId: string): Promise<ChannelChoice[]> {
    return this.dataSource.query(`SELECT kind, channels FROM notification_preferences WHERE user_id = $1 ORDER BY kind`, [userId]);
  }

  async timeZoneOf(userId: string): Promise<string | null> {
    const [r]: { time_zone: string }[] = await this.dataSource.query(`SELECT time_zone FROM notification_settings WHERE user_id = $1`, [userId]);
    return r?.time_zone ?? null;
  }

  /** Replaces the user's choices as a whole (PUT); a null time zone goes back to the deployment's default. */
  async replace(userId: string, choices: ChannelChoice[], timeZone: string | null): Promise<void> {
    await this.dataSource.transaction(async (tx) => {
      await tx.query(`DELETE FROM notification_preferences WHERE user_id = $1`, [userId]);
      for (const c of choices) {
        await tx.query(`INSERT INTO notification_preferences (user_id, kind, channels) VALUES ($1, $2, $3)`, [userId, c.kind, c.channels]);
      }
      if (timeZone === null) await tx.query(`DELETE FROM notification_settings WHERE user_id = $1`, [userId]);
      else {
        await tx.query(
          `INSERT INTO notification_settings (user_id, time_zone) VALUES ($1, $2)
           ON CONFLICT (user_id) DO UPDATE SET time_zone = EXCLUDED.time_zone, updated_at = now()`,
          [userId, timeZone],
        );
      }
    });
  }
}
