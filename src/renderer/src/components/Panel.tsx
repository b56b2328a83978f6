/** A titled region: the heading names it for screen readers (aria-labelledby). */
import { useId, type ReactNode } from 'react'

export function Panel({
  title,
  actions,
  children,
  className = '',
  hideTitle = false
}: {
  title: string
  /** The title still names the region for screen readers, without taking a line on screen. */
  hideTitle?: boolean
  actions?: ReactNode
  children: ReactNode
  className?: string
}): React.JSX.Element {
  const id = useId()
  return (
    <section className={`panel ${className}`} aria-labelledby={id}>
      {hideTitle ? (
        <h2 id={id} className="visually-hidden">
          {title}
        </h2>
      ) : (
        <header className="panel-head">
          <h2 id={id}>{title}</h2>
          {actions}
        </header>
      )}
      {children}
    </section>
  )
}
