/**
 * `npm run screenshots`: the main views in light and dark at a laptop's and a projector's size,
 * into docs/screenshots/, from a real run on the embedded emulator. Skipped in the normal suite.
 */
import { resolve } from 'node:path'
import { expect, test, waitForLine } from './fixtures'

const OUT = resolve(__dirname, '../../../docs/screenshots')

test.skip(!process.env.SCREENSHOTS, 'screenshots are taken by npm run screenshots')
test.use({ speed: '1440', engineArgs: ['--seed', '61'] })
test.setTimeout(180_000)

for (const scheme of ['light', 'dark'] as const) {
  test(`screenshots, ${scheme}`, async ({ app, engine }) => {
    await app.emulateMedia({ colorScheme: scheme })
    await app.getByRole('button', { name: 'Start run', exact: true }).click()
    await expect(app.getByTestId('batch-progress')).toHaveText(/Batch [4-8] of 8/, {
      timeout: 150_000
    })
    const credited = await waitForLine(engine, (l) => l.type === 'transfer.sent')
    await app.getByRole('button', { name: 'One invoice now', exact: true }).click()
    await expect(app.getByRole('status').filter({ hasText: /Invoice \d+ issued/ })).toBeVisible()

    for (const [w, h] of [
      [1280, 800],
      [1920, 1080]
    ] as const) {
      await app.setViewportSize({ width: w, height: h })
      await app.getByRole('tab', { name: 'Live log' }).click()
      await app.waitForTimeout(600) // let the timeline redraw at the new width
      await app.screenshot({ path: `${OUT}/main-${w}x${h}-${scheme}.png` })

      await app.getByRole('tab', { name: /Invoices/ }).click()
      await app.getByRole('button', { name: String(credited.invoiceId), exact: true }).click()
      await expect(app.getByRole('complementary')).toBeVisible()
      await app.waitForTimeout(800)
      await app.screenshot({ path: `${OUT}/invoice-${w}x${h}-${scheme}.png` })
      await app.keyboard.press('Escape')
    }
  })
}
